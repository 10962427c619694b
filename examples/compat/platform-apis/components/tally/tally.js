Component({
  properties: { label: String, count: { type: Number, value: 0 } },
  lifetimes: {
    created() {
      // The template is there before created, as on the platform.
      if (!this.selectComponent('#d')) throw new Error('the digit should exist in created');
    },
  },
  methods: {
    bump() {
      this.groupSetData(() => {
        this.setData({ count: this.data.count + 1 });
        this.setData({ label: 'bumped' });
      });
    },
  },
});
