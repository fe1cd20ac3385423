import { describe, expect, it } from 'vitest';
import { printTable, TabWriter } from './table-printer.js';

const table = {
  columnDefinitions: [
    { name: 'Name', format: 'name' }, { name: 'Ready' }, { name: 'Age' }, { name: 'IP', priority: 1 },
  ],
  rows: [
    { cells: ['nginx-7c5ddbdf54-x2x9q', '1/1', '5m', '127.244.1.5'], object: { metadata: { namespace: 'default', labels: { app: 'nginx' } } } },
    { cells: ['a', '0/1', '12s', null], object: { metadata: { namespace: 'kube-system' } } },
  ],
};

describe('table printer', () => {
  it('pads columns by 3 spaces with a minimum width of 6 and hides wide columns', () => {
    expect(printTable(table)).toBe(
      'NAME                     READY   AGE\n' +
      'nginx-7c5ddbdf54-x2x9q   1/1     5m\n' +
      'a                        0/1     12s\n',
    );
  });
  it('shows wide columns, <none> for null cells, NAMESPACE, kind prefixes and labels', () => {
    const out = printTable(table, { wide: true, withNamespace: true, kindPrefix: 'pod', showLabels: true });
    expect(out.split('\n')[0]).toBe('NAMESPACE     NAME                         READY   AGE   IP            LABELS');
    expect(out.split('\n')[1]).toBe('default       pod/nginx-7c5ddbdf54-x2x9q   1/1     5m    127.244.1.5   app=nginx');
    expect(out.split('\n')[2]).toBe('kube-system   pod/a                        0/1     12s   <none>        <none>');
  });
  it('remembers widths across flushes for watch output', () => {
    const w = new TabWriter(true);
    expect(w.format([['NAME', 'AGE'], ['longer-name', '1s']])).toBe('NAME          AGE\nlonger-name   1s\n');
    expect(w.format([['x', '2s']])).toBe('x             2s\n');
  });
});
