// The report's numbers are read by the language layer; this module keeps the report's old import path.
export { foldText, readNumber, type NumberReading } from '../../bot/language/numbers.ts';
