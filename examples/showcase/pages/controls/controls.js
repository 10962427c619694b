const MAINS = { Noodles: ['Beef', 'Tomato and egg'], Rice: ['Fried', 'Curry', 'Congee'] }

Page({
  data: {
    toppings: ['cheese', 'olives', 'basil'],
    sizes: ['S', 'M', 'L'],
    sliding: 3,
    fruits: ['apple', 'pear', 'plum'],
    fruit: 0,
    day: '2026-11-25',
    time: '12:00',
    region: ['上海市', '上海市', '黄浦区'],
    regionCode: '310101',
    dishes: [Object.keys(MAINS), MAINS.Noodles],
    dish: [0, 0],
    lines: 1,
    result: ''
  },
  onChanging(e) { this.setData({ sliding: e.detail.value }) },
  onFruit(e) { this.setData({ fruit: e.detail.value }) },
  onDay(e) { this.setData({ day: e.detail.value }) },
  onTime(e) { this.setData({ time: e.detail.value }) },
  onColumn(e) {
    if (e.detail.column === 0) {
      const main = this.data.dishes[0][e.detail.value]
      this.setData({ 'dishes[1]': MAINS[main] })
    }
  },
  onDish(e) { this.setData({ dish: e.detail.value }) },
  onRegion(e) { this.setData({ region: e.detail.value, regionCode: e.detail.code[2] }) },
  onLines(e) { this.setData({ lines: e.detail.lineCount }) },
  onSubmit(e) { this.setData({ result: 'submitted ' + JSON.stringify(e.detail.value) }) },
  onReset() { this.setData({ result: 'reset' }) }
})
