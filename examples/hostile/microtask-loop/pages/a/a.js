Page({ onLoad() { (function again() { Promise.resolve().then(again) })() } })
