export const n = 3;
function down(k) { try { return down(k + 1) } catch (e) { return globalThis.next(4) } }
down(0);
