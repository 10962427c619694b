import { Size, total, type Line } from '../../utils/cart';

const lines: Line[] = [
  { name: 'Oolong', size: Size.Large, price: 18, count: 2 },
  { name: 'Jasmine', size: Size.Small, price: 12, count: 1 },
];

Page({
  data: { lines, total: 0 },
  onLoad() {
    const started = getApp<{ globalData: { launchedAt: number } }>().globalData.launchedAt;
    if (!(started > 0)) throw new Error('app.ts did not launch');
    this.setData({ total: total(lines) });
  },
});
