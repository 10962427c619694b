export const n = 2;
function down(k) { try { return down(k + 1) } catch (e) { return globalThis.next(3) } }
down(0);
