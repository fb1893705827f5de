// What one bound village contact sends in the inbound benchmarks: five updates, each sent after the
// bot's reply to the previous one (see inbound.ts for the mix). k varies the figures and the order.
export type Step = { kind: 'text'; text: string } | { kind: 'button'; fallback: string };

export function scriptFor(k: number): Step[] {
  const r = (n: number) => ((k * 7919 + n * 104729) % 997) / 997;
  const days = 18 + Math.floor(r(1) * 9);
  const hours = days * (6 + Math.floor(r(2) * 3));
  const visitors = 80 + Math.floor(r(3) * 400);
  const activities = 1 + Math.floor(r(4) * 5);
  const first = k % 2 === 0
    ? `服务人次${visitors}，开放天数${days}，开放时长${hours}小时，活动${activities}场`
    : `开放天数${days}天，开放时长${hours}小时，服务人次${visitors}，活动${activities}场`;
  const correction = `开放天数${days - 1}，开放时长${hours - 6}小时，服务人次${visitors + 15}，活动${activities}场，培训1场`;
  const typed: Step = { kind: 'text', text: '1' };
  const button: Step = { kind: 'button', fallback: 'report:confirm' };
  return [
    { kind: 'text', text: first },
    k % 2 === 0 ? typed : button,
    { kind: 'text', text: k % 3 === 0 ? '/status' : '进度' },
    { kind: 'text', text: correction },
    k % 2 === 0 ? button : typed,
  ];
}
