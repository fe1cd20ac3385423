// Server-side printers: meta.k8s.io/v1 Tables for `kubectl get` (see README.md).
export { toTable, printerFor, defaultPrinter, type ToTableOptions, type IncludeObject } from './to-table.js';
export { humanDuration, shortHumanDuration, translateTimestampSince } from './duration.js';
export type { Table, TableRow, TableColumnDefinition, Cell, Printer } from './table-types.js';
export { summarizePod } from './pod-printer.js';
