Page({ onLoad() { Promise.resolve().then(function () { throw 1 }); Promise.resolve().then(function () { while (true) {} }) } })
