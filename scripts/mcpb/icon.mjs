// The extension's icon, drawn here (no image assets in the repository): a white three-tier database on a
// teal rounded square, as an RGBA PNG. `node scripts/mcpb/icon.mjs out.png [size]` writes one.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Coverage (0..1) of the shape at a point of the unit square: 0 background, 1 the white database. */
function shape(x, y) {
  // Rounded square (the tile).
  const r = 0.2;
  const dx = Math.max(Math.abs(x - 0.5) - (0.5 - r), 0);
  const dy = Math.max(Math.abs(y - 0.5) - (0.5 - r), 0);
  if (dx * dx + dy * dy > r * r) return -1;
  // Database: a cylinder with two bands, drawn as white where inside and not in a gap.
  const cx = 0.5;
  const rx = 0.26;
  const ry = 0.075;
  const top = 0.27;
  const bottom = 0.73;
  const inEllipse = (ey) => ((x - cx) / rx) ** 2 + ((y - ey) / ry) ** 2 <= 1;
  const inBody = Math.abs(x - cx) <= rx && y >= top && y <= bottom;
  if (!(inBody || inEllipse(top) || inEllipse(bottom))) return 0;
  // Gaps: the rim of the top ellipse and two band lines follow the lower edge of an ellipse.
  for (const ey of [top, top + 0.155, top + 0.31]) {
    const t = ((x - cx) / rx) ** 2;
    if (t > 1) continue;
    const edge = ey + ry * Math.sqrt(1 - t);
    if (y > edge && y < edge + 0.028) return 0;
  }
  return 1;
}

export function iconPng(size = 256) {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  const ss = 4;
  for (let py = 0; py < size; py++) {
    raw[py * (size * 4 + 1)] = 0; // filter: none
    for (let px = 0; px < size; px++) {
      let tile = 0;
      let white = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const v = shape((px + (sx + 0.5) / ss) / size, (py + (sy + 0.5) / ss) / size);
          if (v >= 0) tile++;
          if (v === 1) white++;
        }
      }
      const n = ss * ss;
      const w = white / Math.max(tile, 1);
      // Teal gradient from top to bottom.
      const g = py / size;
      const base = [Math.round(14 + 10 * g), Math.round(124 - 34 * g), Math.round(134 - 20 * g)];
      const o = py * (size * 4 + 1) + 1 + px * 4;
      for (let i = 0; i < 3; i++) raw[o + i] = Math.round(base[i] * (1 - w) + 255 * w);
      raw[o + 3] = Math.round((255 * tile) / n);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split(/[\\/]/).pop())) {
  const [out, size] = process.argv.slice(2);
  writeFileSync(out ?? 'icon.png', iconPng(Number(size ?? 256)));
}
