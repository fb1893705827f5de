#!/usr/bin/env python3
# Writes the FODS (flat OpenDocument) sources of the directory fixtures that
# scripts/make-spreadsheet-fixtures.sh converts with LibreOffice into the files operators really
# send: a one-sheet-per-town .xlsx with a notes sheet, titles and spaced headers; GBK and UTF-16
# text as Excel/WPS on Chinese Windows save "CSV" and "Unicode 文本"; .xls and .ods. And the rules
# table (annex 1) as operators edit it: one sheet per level after a notes sheet, or one sheet.
#   make-spreadsheet-fixtures.py OUT_DIR RULES.json   (RULES.json: rulesToTable(RULE_SEEDS), header first)
import json
import sys
from xml.sax.saxutils import escape

OUT = sys.argv[1]
RULES = json.load(open(sys.argv[2], encoding='utf-8'))

HEAD = '''<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
<office:automatic-styles>
 <number:number-style style:name="Nsci"><number:scientific-number number:decimal-places="2" number:min-integer-digits="1" number:min-exponent-digits="2"/></number:number-style>
 <number:number-style style:name="Ngroup"><number:number number:decimal-places="0" number:min-integer-digits="1" number:grouping="true"/></number:number-style>
 <number:number-style style:name="Nplain"><number:number number:decimal-places="0" number:min-integer-digits="1"/></number:number-style>
 <style:style style:name="sci" style:family="table-cell" style:data-style-name="Nsci"/>
 <style:style style:name="group" style:family="table-cell" style:data-style-name="Ngroup"/>
 <style:style style:name="plain" style:family="table-cell" style:data-style-name="Nplain"/>
</office:automatic-styles>
<office:body><office:spreadsheet>
'''
TAIL = '</office:spreadsheet></office:body></office:document>\n'


def cell(value):
    """str: a text cell; ('num', n, style): a number cell; ('merge', text, rows); 'covered'."""
    if value == 'covered':
        return '<table:covered-table-cell/>'
    if isinstance(value, tuple) and value[0] == 'num':
        _, n, style = value
        return f'<table:table-cell table:style-name="{style}" office:value-type="float" office:value="{n}"><text:p>{n}</text:p></table:table-cell>'
    if isinstance(value, tuple) and value[0] == 'merge':
        _, text, rows = value
        return f'<table:table-cell table:number-rows-spanned="{rows}" office:value-type="string"><text:p>{escape(text)}</text:p></table:table-cell>'
    if value == '':
        return '<table:table-cell/>'
    return f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p></table:table-cell>'


def sheet(name, rows):
    body = ''.join('<table:table-row>' + ''.join(cell(c) for c in row) + '</table:table-row>\n' for row in rows)
    return f'<table:table table:name="{escape(name)}">\n{body}</table:table>\n'


def write(name, sheets):
    with open(f'{OUT}/{name}', 'w', encoding='utf-8') as f:
        f.write(HEAD + ''.join(sheet(n, r) for n, r in sheets) + TAIL)


HEADER = ['镇街', '服务点', '级别', '联系人', '角色', '手机', '电话', '邮箱', '党员远程教育点']
# a header as people type it: spaces inside, full-width letters, a star for a required column
SPACED = ['镇　街', '服务点', '级 别', '联系人*', '角色', '手 机', '电话', '邮箱', '党员远程教育点']
TITLE = ['东莞市文化共享工程通信名录（2009年）']
num = lambda n: ('num', n, 'plain')

SUB_CENTER = [['', '东莞图书馆', '市支中心', '陈管理', '管理员', num(13800000001), '0769-22836666', 'gxgc@dglib.cn', '否']]
# 石龙镇: the town once, at the top of its points (not merged); mobiles as numbers, full-width, +86;
# a village that has only a landline
SHILONG = [
    ['石龙镇', '石龙镇图书馆', '镇级', '孙镇联', '联络人', num(13800002001), '', '', '否'],
    ['', '示例一村', '村级', '周村联', '联络人', '１３８００００２１０１', '', '', '是'],
    ['', '示例二村', '村级', '吴村联', '联络人', '+86 138-0000-2102', '', '', ''],
    ['', '示例三村', '村级', '郑村联', '联络人', '', '0769-22834125', '', ''],
]
# 虎门镇: the town in merged cells
HUMEN = [
    [('merge', '虎门镇', 3), '虎门镇图书馆', '镇级', '冯镇联', '联络人', num(13800003001), '', '', ''],
    ['covered', '示例村', '村级', '陈村联', '信息专报员', ('num', 13800003101, 'group'), '', '', ''],
    ['covered', '示例企业', '企业', '褚企联', '联络人', num(13800003301), '', '', ''],
]
CHANGAN = [['长安镇', '长安一村', '村级', '卫村联', '联络人', num(13800004101), '', '', '']]
NOTES = [['填表说明'], ['1. 每个镇街一张工作表，第一行可写标题。'], ['2. 手机和电话至少填一个。']]

write('directory-towns.fods', [
    ('填表说明', NOTES),
    ('市支中心', [HEADER] + SUB_CENTER),
    ('石龙镇', [TITLE, [], SPACED] + SHILONG),
    ('虎门镇', [HEADER] + HUMEN),
    ('长安镇', [TITLE, HEADER] + CHANGAN),
])

# the same directory on one sheet (no merged cells: a .csv has none), title row above the header
write('directory-flat.fods', [('通信名录', [TITLE, SPACED] + SUB_CENTER + SHILONG + [
    ['虎门镇', '虎门镇图书馆', '镇级', '冯镇联', '联络人', num(13800003001), '', '', ''],
    ['', '示例村', '村级', '陈村联', '信息专报员', ('num', 13800003101, 'group'), '', '', ''],
    ['', '示例企业', '企业', '褚企联', '联络人', num(13800003301), '', '', ''],
] + CHANGAN)])

# what a spreadsheet does to a mobile column left as numbers, and other rows to refuse
write('directory-damaged.fods', [('通信名录', [HEADER,
    ['石龙镇', '石龙镇图书馆', '镇级', '孙镇联', '联络人', ('num', 13800002001, 'group'), '', '', ''],
    ['石龙镇', '示例一村', '村级', '周村联', '联络人', ('num', 13900000001, 'sci'), '', '', ''],
    ['石龙镇', '示例二村', '村级', '吴' * 40, '联络人', '13800002102', '', '', ''],
    ['石龙镇', '示例三村', '村级', '郑村联', '联络人', '', '', '', ''],
    ['石龙镇', '示例四村', '村级', '王村联', '联络人', '13800002104', '22834125转8', '', ''],
])])

# the rules table: the seeded annex 1, figures and sort orders as number cells
RULES_HEADER, RULE_ROWS = RULES[0], RULES[1:]
RULES_SPACED = ['级　别', '类别', '项 目', '数量', '单位', '比　较', '备注', '关键词', '排序', '来源*']
rule_cells = lambda row: [num(c) if isinstance(c, (int, float)) else ('' if c is None else c) for c in row]
VILLAGE_RULES = [rule_cells(r) for r in RULE_ROWS if r[0] == '村级']
TOWN_RULES = [rule_cells(r) for r in RULE_ROWS if r[0] == '镇级']
RULES_NOTES = [['填表说明'], ['1. 镇级、村级各一张工作表，第一行可写标题。'], ['2. 文件中没有的规则导入后会被删除。']]
RULES_TITLE = ['东莞市文化共享工程基层服务点配置及服务标准（附件1）']

# the rules sheets after a notes sheet, the village sheet with a title, a blank row and a spaced header
write('rules-levels.fods', [
    ('填表说明', RULES_NOTES),
    ('村级', [RULES_TITLE, [], RULES_SPACED] + VILLAGE_RULES),
    ('镇级', [RULES_HEADER] + TOWN_RULES),
])
# only the village sheet: an import of it would remove every town rule
write('rules-village.fods', [('村级', [RULES_TITLE, RULES_SPACED] + VILLAGE_RULES)])
# the whole table on one sheet under a title, for the GBK .csv
write('rules-flat.fods', [('配置及服务标准', [RULES_TITLE, RULES_HEADER] + TOWN_RULES + VILLAGE_RULES)])
# a bad figure on the village sheet (its row 4: title, header, then the second rule), and a town sheet
# whose header lacks 排序 and 来源: it is meant as rules, so it is a problem, not skipped
bad_village = [list(r) for r in VILLAGE_RULES]
bad_village[1][3] = '很多'
write('rules-damaged.fods', [
    ('填表说明', RULES_NOTES),
    ('村级', [RULES_TITLE, RULES_HEADER] + bad_village),
    ('镇级', [RULES_HEADER[:8]] + [r[:8] for r in TOWN_RULES]),
])
