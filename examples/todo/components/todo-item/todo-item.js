Component({
  properties: {
    item: { type: Object, value: {} }
  },
  methods: {
    onToggle() {
      this.triggerEvent('toggle', { id: this.data.item.id })
    },
    onRemove() {
      this.triggerEvent('remove', { id: this.data.item.id })
    }
  }
})
