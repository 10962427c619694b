Page({ onLoad() { let v = []; for (let i = 0; i < 100000; i++) v = [v]; try { this.setData({ v }) } catch (e) { console.log('refused: ' + e.message.slice(0, 60)) } } })
