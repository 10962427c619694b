export const n = 7;
function down(k) { try { return down(k + 1) } catch (e) { return globalThis.next(8) } }
down(0);
