// 通信名录 in chat: operators see how many points and contacts there are per level and per town,
// and how many contacts have bound a chat; and import the directory by sending its spreadsheet.
import { OPERATOR_ONLY, type Capability } from '../../bot/core/capability.ts';
import { formatOverview } from './store.ts';
import { directoryImportDialogue, planSentFile } from './chat-import.ts';
import { planRulesFile, rulesImportDialogue } from '../standards/chat-import.ts';
import { isRulesSheet } from '../standards/rulesFile.ts';
import { readSheets } from '../../bot/spreadsheet.ts';

/** Whether a sheet of a sent file has the rules table's header; a file that cannot be read is left to the directory's answer. */
async function sentRulesTable(filename: string, content: Uint8Array): Promise<boolean> {
  if (!/\.(xlsx|xlsm|csv|txt)$/i.test(filename) || content.length > 512 * 1024) return false;
  try {
    return (await readSheets({ filename, content })).sheets.some((sheet) => isRulesSheet(sheet.rows));
  } catch {
    return false;
  }
}

export const directoryCapability: Capability = {
  name: 'directory',
  commands: [
    {
      name: 'directory',
      aliases: ['名录', '通信名录'],
      description: '通信名录概况（各级别、各镇街的服务点和联系人数，已绑定人数）；发送名录表格文件可以导入',
      roles: OPERATOR_ONLY,
      async run(ctx) {
        return [{ text: formatOverview(await ctx.queries.directory.overview()) }];
      },
    },
  ],
  // a file sent in the chat is an operator's import: the rules table when a sheet's header is the
  // rules table's, otherwise the directory (whose own checks say what is wrong with any other file)
  recognize: (ctx) => (ctx.message.document ? 1 : 0),
  async handleText(ctx) {
    if (ctx.actor.role !== 'operator') return [{ text: '只有市支中心管理员可以发送文件导入通信名录或规则表。发送 /help 查看您可以使用的功能。' }];
    const document = ctx.message.document!;
    if (document.content && (await sentRulesTable(document.filename, document.content))) return planRulesFile(ctx, { ...document, content: document.content });
    return planSentFile(ctx, document);
  },
  dialogues: [directoryImportDialogue, rulesImportDialogue],
};
