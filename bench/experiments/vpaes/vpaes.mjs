// Vector-permute AES (M. Hamburg, "Accelerating AES with Vector Permute
// Instructions", CHES 2009), as in OpenSSL's crypto/aes/asm/vpaes-x86_64.pl:
// its constant tables, and its AES-256 encryption key schedule
// (_vpaes_schedule_core) emulated op by op in JavaScript. The key schedule is
// not timed, so plain JavaScript is enough; the round function is generated
// as AssemblyScript by gen.mjs.

/** Bytes of .quad literals, little-endian, as written in vpaes-x86_64.pl. */
const quads = (...qs) => {
  const b = new Uint8Array(8 * qs.length), dv = new DataView(b.buffer);
  qs.forEach((q, i) => dv.setBigUint64(8 * i, q, true));
  return b;
};
/** Row i (16 bytes) of a table of several rows. */
export const row = (t, i) => t.subarray(16 * i, 16 * i + 16);

export const K = {
  inv: quads(0x0e05060f0d080180n, 0x040703090a0b0c02n), // .Lk_inv: 1/j in GF(2^4), index 0 -> 0x80
  inva: quads(0x01040a060f0b0780n, 0x030d0e0c02050809n), // .Lk_inv + 16: 1/i
  iptlo: quads(0xc2b2e8985a2a7000n, 0xcabae09052227808n), // .Lk_ipt: input transform (into the vpaes basis)
  ipthi: quads(0x4c01307d317c4d00n, 0xcd80b1fcb0fdcc81n),
  sb1u: quads(0xb19be18fcb503e00n, 0xa5df7a6e142af544n), // .Lk_sb1: S-box output
  sb1t: quads(0x3618d415fae22300n, 0x3bf7ccc10d2ed9efn),
  sb2u: quads(0xe27a93c60b712400n, 0x5eb7e955bc982fcdn), // .Lk_sb2: 2 x S-box output
  sb2t: quads(0x69eb88400ae12900n, 0xc2a163c8ab82234an),
  sbou: quads(0xd0d26d176fbdc700n, 0x15aabf7ac502a878n), // .Lk_sbo: last round's S-box output
  sbot: quads(0xcfe474a55fbb6a00n, 0x8e1e90d1412b35fan),
  mcf: quads(0x0407060500030201n, 0x0c0f0e0d080b0a09n, 0x080b0a0904070605n, 0x000302010c0f0e0dn, // .Lk_mc_forward
    0x0c0f0e0d080b0a09n, 0x0407060500030201n, 0x000302010c0f0e0dn, 0x080b0a0904070605n),
  mcb: quads(0x0605040702010003n, 0x0e0d0c0f0a09080bn, 0x020100030e0d0c0fn, 0x0a09080b06050407n, // .Lk_mc_backward
    0x0e0d0c0f0a09080bn, 0x0605040702010003n, 0x0a09080b06050407n, 0x020100030e0d0c0fn),
  sr: quads(0x0706050403020100n, 0x0f0e0d0c0b0a0908n, 0x030e09040f0a0500n, 0x0b06010c07020d08n, // .Lk_sr
    0x0f060d040b020900n, 0x070e050c030a0108n, 0x0b0e0104070a0d00n, 0x0306090c0f020508n),
  rcon: quads(0x1f8391b9af9deeb6n, 0x702a98084d7c7d81n), // .Lk_rcon
  s63: quads(0x5b5b5b5b5b5b5b5bn, 0x5b5b5b5b5b5b5b5bn), // .Lk_s63: 0x63 in the vpaes basis
  optlo: quads(0xff9f4929d6b66000n, 0xf7974121debe6808n), // .Lk_opt: output transform
  opthi: quads(0x01edbd5150bcec00n, 0xe10d5db1b05c0ce0n),
};

// SSSE3 operations on 16-byte arrays. pshufb(t, idx): lane i = t[idx[i] & 15], or 0 when bit 7 of idx[i] is set.
const pshufb = (t, idx) => Uint8Array.from(idx, (x) => (x & 0x80 ? 0 : t[x & 15]));
const xor = (a, b) => Uint8Array.from(a, (x, i) => x ^ b[i]);
const palignr = (n, src, dst) => { const c = new Uint8Array(32); c.set(src, 0); c.set(dst, 16); return c.slice(n, n + 16); }; // AT&T order
const pslldq = (a, n) => { const r = new Uint8Array(16); r.set(a.subarray(0, 16 - n), n); return r; };
const pshufd = (a, lane) => Uint8Array.from(a, (_, i) => a[4 * lane + (i & 3)]);
/** _vpaes_schedule_transform: lo[x & 15] ^ hi[x >> 4]. */
const transform = (x, lo, hi) => xor(pshufb(lo, x.map((v) => v & 15)), pshufb(hi, x.map((v) => v >> 4)));

/** S-box through GF(2^4) inversions (the core of _vpaes_encrypt_core and _vpaes_schedule_low_round): sb1u[io] ^ sb1t[jo]. */
function subBytes(x) {
  const i = x.map((v) => v >> 4), k = x.map((v) => v & 15), ak = pshufb(K.inva, k), j = xor(k, i);
  const io = xor(pshufb(K.inv, xor(pshufb(K.inv, i), ak)), j), jo = xor(pshufb(K.inv, xor(pshufb(K.inv, j), ak)), i);
  return xor(pshufb(K.sb1u, io), pshufb(K.sb1t, jo));
}

/** The 15 AES-256 encryption round keys (240 bytes) in the vpaes basis, as _vpaes_schedule_core writes them. */
export function vpaesKeySchedule(key) {
  const out = new Uint8Array(240);
  let at = 0, r8 = 0x30, rcon = K.rcon;
  let x0 = transform(key.subarray(0, 16), K.iptlo, K.ipthi), x7 = x0;
  out.set(x0, at);
  x0 = transform(key.subarray(16, 32), K.iptlo, K.ipthi);
  const mangle = () => { // _vpaes_schedule_mangle (encrypting): MixColumns by the mc_forward rotations, then ShiftRows
    const f = row(K.mcf, 0);
    let x4 = pshufb(xor(x0, K.s63), f), x3 = x4;
    x4 = pshufb(x4, f); x3 = xor(x3, x4);
    x4 = pshufb(x4, f); x3 = xor(x3, x4);
    out.set(pshufb(x3, row(K.sr, r8 >> 4)), (at += 16));
    r8 = (r8 - 16) & 0x30;
  };
  const lowRound = () => { // _vpaes_schedule_low_round: smear x7, then x0 = S(x0) ^ x7
    x7 = xor(x7, pslldq(x7, 4));
    x7 = xor(xor(x7, pslldq(x7, 8)), K.s63);
    x0 = x7 = xor(subBytes(x0), x7);
  };
  for (let esi = 7; ; ) { // .Loop_schedule_256
    mangle();
    const x6 = x0;
    x7 = xor(x7, palignr(15, rcon, new Uint8Array(16))); // _vpaes_schedule_round: add rcon, rotate it
    rcon = palignr(15, rcon, rcon);
    x0 = pshufd(x0, 3);
    x0 = palignr(1, x0, x0);
    lowRound();
    if (--esi === 0) break;
    mangle();
    x0 = pshufd(x0, 3); // low round without rotation or rcon, x7 and x6 swapped
    const x5 = x7;
    x7 = x6;
    lowRound();
    x7 = x5;
  }
  x0 = xor(pshufb(x0, row(K.sr, r8 >> 4)), K.s63); // .Lschedule_mangle_last (encrypting)
  out.set(transform(x0, K.optlo, K.opthi), at + 16);
  return out;
}
