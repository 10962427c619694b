export enum Size {
  Small = 'S',
  Large = 'L',
}

export interface Line {
  name: string;
  size: Size;
  price: number;
  count: number;
}

export function total(lines: readonly Line[]): number {
  return lines.reduce((sum: number, l: Line) => sum + l.price * l.count, 0);
}
