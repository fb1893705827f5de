#!/bin/sh
# Makes the directory fixtures of test/directory/fixtures/office and the rules-table fixtures of
# test/standards/fixtures/office with LibreOffice (soffice headless), saving as Excel and WPS on
# Chinese Windows do. Run from the repository root; commit the result.
#   sh scripts/make-spreadsheet-fixtures.sh
# CSV filter options: separator, text delimiter, character set (LibreOffice's rtl_TextEncoding
# numbers: 76 UTF-8, 61 MS-936 i.e. GBK, the code page of Excel on Chinese Windows, 65535 UTF-16).
set -eu
OUT=test/directory/fixtures/office
RULES_OUT=test/standards/fixtures/office
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT" "$RULES_OUT"
# the rules fixtures hold the seeded annex 1, as `gxgc rules export` writes it
node --import tsx --input-type=module -e "import { RULE_SEEDS } from './prisma/seed/rules.ts'; import { rulesToTable } from './commands/standards/rulesFile.ts'; process.stdout.write(JSON.stringify(rulesToTable(RULE_SEEDS)))" > "$WORK/rules.json"
python3 scripts/make-spreadsheet-fixtures.py "$WORK" "$WORK/rules.json"
# a profile of its own: a running LibreOffice of the user is left alone
PROFILE="-env:UserInstallation=file://$WORK/profile"
convert() { # source, filter, output path
  soffice "$PROFILE" --headless --convert-to "$2" --outdir "$WORK/out" "$WORK/$1" >/dev/null
  mv "$WORK/out/${1%.fods}.${2%%:*}" "$3"
}
convert directory-towns.fods xlsx "$OUT/towns.xlsx"
convert directory-flat.fods xlsx "$OUT/flat.xlsx"
convert directory-flat.fods 'xls:MS Excel 97' "$OUT/flat.xls"
convert directory-flat.fods ods "$OUT/flat.ods"
convert directory-flat.fods 'csv:Text - txt - csv (StarCalc):44,34,61' "$OUT/flat-gbk.csv"
convert directory-flat.fods 'csv:Text - txt - csv (StarCalc):44,34,76' "$OUT/flat-utf8.csv"
convert directory-flat.fods 'csv:Text - txt - csv (StarCalc):9,34,65535' "$OUT/flat-unicode.txt"
convert directory-damaged.fods 'csv:Text - txt - csv (StarCalc):44,34,61' "$OUT/damaged-gbk.csv"
# Excel's "CSV UTF-8" starts with a byte-order mark; LibreOffice's CSV export (7.4) writes none, so
# one is put before its UTF-8 text
printf '\357\273\277' | cat - "$OUT/flat-utf8.csv" > "$OUT/flat-utf8-bom.csv"
convert rules-levels.fods xlsx "$RULES_OUT/rules-levels.xlsx"
convert rules-village.fods xlsx "$RULES_OUT/rules-village.xlsx"
convert rules-damaged.fods xlsx "$RULES_OUT/rules-damaged.xlsx"
convert rules-flat.fods 'csv:Text - txt - csv (StarCalc):44,34,61' "$RULES_OUT/rules-gbk.csv"
# WPS's .et is the same compound-file (BIFF) format as .xls; LibreOffice cannot save .et itself
cp "$OUT/flat.xls" "$OUT/flat.et"
# an .xls that someone renamed .xlsx
cp "$OUT/flat.xls" "$OUT/renamed-xls.xlsx"
ls -l "$OUT" "$RULES_OUT"
