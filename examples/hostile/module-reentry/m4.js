export const n = 4;
function down(k) { try { return down(k + 1) } catch (e) { return globalThis.next(5) } }
down(0);
