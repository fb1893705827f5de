// What the bot says to a message that has no text (a voice message, a picture, a sticker): what arrived,
// and that it reads text only. Pure; an adapter names the kind, the words are the same on every channel.
import type { MessageKind } from './types.ts';

const WHAT: Record<Exclude<MessageKind, 'text'>, string> = {
  voice: '暂时听不了语音，请打字发送。',
  image: '收到一张图片，但我看不了图片，请用文字发送（例如月报数字或要问的问题）。',
  sticker: '收到一个表情。我只能看懂文字，请打字发送要办的事。',
  video: '收到一段视频，但我看不了视频，请用文字发送。',
  file: '收到一个文件，但我不能读文件里的内容，请把要说的用文字发送；名录等文件请交市支中心用命令行导入。',
  other: '收到一条非文字消息，我只能看懂文字，请打字发送。',
};

export function nonTextReply(kind: Exclude<MessageKind, 'text'>): string {
  return `${WHAT[kind]}发送 /help 查看可以做什么。`;
}
