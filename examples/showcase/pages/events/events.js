Page({
  data: {
    log: [],
    clearHandler: 'onClear'
  },
  push(line) {
    this.setData({ log: this.data.log.concat(`${this.data.log.length + 1}. ${line}`) })
  },
  onCapture(e) {
    this.push(`capture at ${e.currentTarget.dataset.level}`)
  },
  onOuter(e) {
    this.push(`outer from ${e.target.dataset.level}`)
  },
  onInner(e) {
    this.push(`inner itemId=${e.currentTarget.dataset.itemId} mark=${e.mark.source}`)
  },
  onCatch() {
    this.push('caught')
  },
  onMutual() {
    this.push('mutual')
  },
  onClear() {
    this.setData({ log: [] })
  }
})
