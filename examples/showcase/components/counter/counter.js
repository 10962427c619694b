// A counter that is also a form field: its name and value go into a form's submit.
Component({
  behaviors: ['wx://form-field'],
  externalClasses: ['custom-class'],
  properties: {
    value: { type: Number, value: 0 },
    min: { type: Number, value: 0 },
    max: { type: Number, value: 10 }
  },
  methods: {
    set(v) {
      const value = Math.max(this.data.min, Math.min(this.data.max, v))
      if (value === this.data.value) return
      this.setData({ value })
      this.triggerEvent('change', { value })
    },
    up() { this.set(this.data.value + 1) },
    down() { this.set(this.data.value - 1) }
  }
})
