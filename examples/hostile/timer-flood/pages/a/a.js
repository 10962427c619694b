Page({ onLoad() { let made = 0; try { for (;;) { setTimeout(() => {}, 1e9); made++ } } catch (e) { console.log('timers refused after ' + made) } } })
