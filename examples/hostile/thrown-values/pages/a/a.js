Page({ onLoad() { Promise.reject(Symbol('s')); Promise.resolve().then(() => { throw null }); setTimeout(() => { throw undefined }, 0); throw { not: 'an error' } } })
