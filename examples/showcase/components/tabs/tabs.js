// A tab bar that finds its tabs through relations: each <tab> in its slot links to it.
Component({
  relations: {
    '../tab/tab': {
      type: 'child',
      linked() { this.refresh() },
      unlinked() { this.refresh() }
    }
  },
  data: { titles: [], current: 0 },
  methods: {
    refresh() {
      const tabs = this.getRelationNodes('../tab/tab')
      this.setData({ titles: tabs.map(t => t.data.title) })
      tabs.forEach((t, i) => t.setData({ shown: i === this.data.current }))
    },
    pick(e) {
      this.setData({ current: e.currentTarget.dataset.index })
      this.refresh()
      this.triggerEvent('change', { index: this.data.current })
    }
  }
})
