#!/bin/sh
# Makes the directory fixtures of test/directory/fixtures/office with LibreOffice (soffice headless),
# saving as Excel and WPS on Chinese Windows do. Run from the repository root; commit the result.
#   sh scripts/make-spreadsheet-fixtures.sh
# CSV filter options: separator, text delimiter, character set (LibreOffice's rtl_TextEncoding
# numbers: 76 UTF-8, 61 MS-936 i.e. GBK, the code page of Excel on Chinese Windows, 65535 UTF-16).
set -eu
OUT=test/directory/fixtures/office
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
python3 scripts/make-spreadsheet-fixtures.py "$WORK"
# a profile of its own: a running LibreOffice of the user is left alone
PROFILE="-env:UserInstallation=file://$WORK/profile"
convert() { # source, filter, output name
  soffice "$PROFILE" --headless --convert-to "$2" --outdir "$WORK/out" "$WORK/$1" >/dev/null
  mv "$WORK/out/${1%.fods}.${2%%:*}" "$OUT/$3"
}
convert directory-towns.fods xlsx 'towns.xlsx'
convert directory-flat.fods xlsx 'flat.xlsx'
convert directory-flat.fods 'xls:MS Excel 97' 'flat.xls'
convert directory-flat.fods ods 'flat.ods'
convert directory-flat.fods 'csv:Text - txt - csv (StarCalc):44,34,61' 'flat-gbk.csv'
convert directory-flat.fods 'csv:Text - txt - csv (StarCalc):44,34,76' 'flat-utf8.csv'
convert directory-flat.fods 'csv:Text - txt - csv (StarCalc):9,34,65535' 'flat-unicode.txt'
convert directory-damaged.fods 'csv:Text - txt - csv (StarCalc):44,34,61' 'damaged-gbk.csv'
# WPS's .et is the same compound-file (BIFF) format as .xls; LibreOffice cannot save .et itself
cp "$OUT/flat.xls" "$OUT/flat.et"
# an .xls that someone renamed .xlsx
cp "$OUT/flat.xls" "$OUT/renamed-xls.xlsx"
ls -l "$OUT"
