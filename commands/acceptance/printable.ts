// The filled annex 2 as an .xlsx laid out like the annex: the title, the level boxes, the table of the
// form, the three opinion boxes with their signature and date lines, and the "此表一式三份" note; one
// A4 page, portrait, so it prints as the paper form the 镇文广中心 stamps.
import type { Borders, Cell, Worksheet } from 'exceljs';
import { loadExcel } from '../../bot/spreadsheet.ts';
import { FIELD_BY_KEY, formatFieldValue, type ApplicationForm, type FormKey } from './form.ts';

export interface PrintableApplication {
  id: number;
  version: number;
  /** the point's level: the form ticks 镇（街） or 村（居） */
  level: string;
  form: ApplicationForm;
  /** YYYY-MM-DD, printed in the footer */
  generatedOn: string;
}

const FONT = '宋体';
const thin = { style: 'thin' as const };
const BOX: Partial<Borders> = { top: thin, left: thin, bottom: thin, right: thin };
// A..G: section, label, value, label, value, label, value (in character widths)
const WIDTHS = [7, 15, 15, 8, 15, 8, 18];

function style(cell: Cell, opts: { bold?: boolean; size?: number; align?: 'left' | 'center' | 'right'; valign?: 'top' | 'middle' | 'bottom' } = {}): void {
  cell.font = { name: FONT, size: opts.size ?? 11, bold: opts.bold ?? false };
  cell.alignment = { horizontal: opts.align ?? 'left', vertical: opts.valign ?? 'middle', wrapText: true };
}

function boxRange(ws: Worksheet, top: number, left: number, bottom: number, right: number): void {
  for (let r = top; r <= bottom; r++) for (let c = left; c <= right; c++) ws.getCell(r, c).border = BOX;
}

/** A merged block with text; every cell of it bordered, so the printed grid is closed. */
function block(ws: Worksheet, top: number, left: number, bottom: number, right: number, text: string, opts: Parameters<typeof style>[1] = {}): void {
  if (top !== bottom || left !== right) ws.mergeCells(top, left, bottom, right);
  const cell = ws.getCell(top, left);
  cell.value = text;
  style(cell, opts);
  boxRange(ws, top, left, bottom, right);
}

export async function renderApplicationForm(app: PrintableApplication): Promise<Buffer> {
  const ExcelJS = await loadExcel();
  const wb = new ExcelJS.Workbook();
  wb.creator = 'gxgc-bot';
  const ws = wb.addWorksheet('验收申请表', {
    pageSetup: {
      paperSize: 9, // A4
      orientation: 'portrait',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 1,
      horizontalCentered: true,
      margins: { left: 0.6, right: 0.6, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
    },
  });
  WIDTHS.forEach((w, i) => (ws.getColumn(i + 1).width = w));
  const v = (key: FormKey) => {
    const value = app.form[key];
    // the annex's labels carry the unit ("电脑（台）") except 总投入资金's, which is printed with its figure
    if (value === undefined || value === '') return '';
    const field = FIELD_BY_KEY[key];
    return formatFieldValue(key === 'totalInvestment' ? field : { ...field, unit: undefined }, value);
  };
  let r = 1;
  ws.mergeCells(r, 1, r, 7);
  ws.getCell(r, 1).value = '东莞市文化共享工程基层服务点验收申请表';
  style(ws.getCell(r, 1), { bold: true, size: 16, align: 'center' });
  ws.getRow(r).height = 30;
  r++;
  ws.mergeCells(r, 1, r, 7);
  const town = app.level === 'town';
  ws.getCell(r, 1).value = `（ 镇（街）${town ? '☑' : '□'}   村（居）${town ? '□' : '☑'} ）`;
  style(ws.getCell(r, 1), { align: 'right' });
  ws.getRow(r).height = 20;
  r++;

  const wide = (label: string, key: FormKey, height = 26) => {
    block(ws, r, 1, r, 2, label, { align: 'center' });
    block(ws, r, 3, r, 7, v(key));
    ws.getRow(r).height = height;
    r++;
  };
  wide('申请单位名称（公章）', 'unitName', 30);
  wide('详细地址', 'address');
  // 联系人 spans two rows, as in the annex; 联系电话 / 手机, then 传真 / E-mail beside it
  block(ws, r, 1, r + 1, 2, '联系人', { align: 'center' });
  block(ws, r, 3, r + 1, 3, v('contactName'), { align: 'center' });
  block(ws, r, 4, r, 4, '联系电话', { align: 'center', size: 10 });
  block(ws, r, 5, r, 5, v('phone'), { size: 10 });
  block(ws, r, 6, r, 6, '手机', { align: 'center', size: 10 });
  block(ws, r, 7, r, 7, v('mobile'), { size: 10 });
  block(ws, r + 1, 4, r + 1, 4, '传真', { align: 'center', size: 10 });
  block(ws, r + 1, 5, r + 1, 5, v('fax'), { size: 10 });
  block(ws, r + 1, 6, r + 1, 6, 'E-mail', { align: 'center', size: 10 });
  block(ws, r + 1, 7, r + 1, 7, v('email'), { size: 10 });
  ws.getRow(r).height = 24;
  ws.getRow(r + 1).height = 24;
  r += 2;

  const section = (title: string, rows: [string, FormKey][]) => {
    block(ws, r, 1, r + rows.length - 1, 1, title, { align: 'center' });
    for (const [label, key] of rows) {
      block(ws, r, 2, r, 2, label, { align: 'center', size: 10 });
      block(ws, r, 3, r, 7, v(key));
      ws.getRow(r).height = 22;
      r++;
    }
  };
  section('设备\n\n配置', [
    ['电脑（台）', 'computers'],
    ['DVD播放机（台）', 'dvdPlayers'],
    ['电视机（台）', 'tvs'],
    ['投影机、投影幕（套）', 'projectors'],
    ['有源音箱（台）', 'speakers'],
    ['其它设备', 'otherEquipment'],
  ]);
  section('其他\n\n情况', [
    ['上网方式与带宽', 'internet'],
    ['场所面积（m²）', 'area'],
    ['专职工作人员（名）', 'staff'],
    ['备注', 'remarks'],
  ]);
  wide('总投入资金', 'totalInvestment');

  // the three opinion boxes: empty for the pen, the signature and date lines at the bottom right
  const opinion = (label: string, signature: string) => {
    block(ws, r, 1, r, 2, label, { align: 'center' });
    block(ws, r, 3, r, 7, `\n\n\n${signature}                    \n\n年      月      日      `, { align: 'right', valign: 'bottom' });
    ws.getRow(r).height = 100;
    r++;
  };
  opinion('验收情况', '审核人签字：');
  opinion('镇（街）文广中心意见', '领导签字并加盖公章：');
  opinion('市支中心意见', '领导签字并加盖公章：');

  ws.mergeCells(r, 1, r, 7);
  ws.getCell(r, 1).value = '说明：此表一式三份，验收完毕后市支中心、镇（街）文广中心、基层服务点各执一份。';
  style(ws.getCell(r, 1), { size: 10 });
  ws.getRow(r).height = 22;
  r++;
  ws.mergeCells(r, 1, r, 7);
  ws.getCell(r, 1).value = `验收申请 #${app.id} · 第${app.version}版 · ${app.generatedOn}`;
  style(ws.getCell(r, 1), { size: 8, align: 'right' });
  ws.pageSetup.printArea = `A1:G${r}`;
  return Buffer.from(await wb.xlsx.writeBuffer());
}
