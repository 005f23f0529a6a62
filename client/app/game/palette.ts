/** Colours of the game world, as 0xRRGGBB. One place so the look can be tuned as a whole. */
export const COLOURS = {
  farHills: 0x2f4572,
  nearHills: 0x3d5a80,
  cloud: 0xdfe9f5,
  groundBody: 0x4a3b2f,
  groundStripe: 0x5a4838,
  groundTop: 0x6cc04a,
  groundTopEdge: 0x4e9a34,
  ledgeBody: 0x8a6a4a,
  ledgeTop: 0xc9a36b,
  coin: 0xffd34d,
  coinShine: 0xfff2b0,
  heart: 0xff4f6d,
  walker: 0x9b5de5,
  walkerDark: 0x6a3aa8,
  flyer: 0x00bbf9,
  flyerWing: 0x0088bb,
  shooter: 0xf15bb5,
  shooterDark: 0xa83a7d,
  shot: 0xff8c42,
  shotCore: 0xfff1c1,
  eye: 0xffffff,
  pupil: 0x111111,
  swing: 0xffffff,
  flagPole: 0xdddddd,
  flagA: 0xffffff,
  flagB: 0x222222,
  hurt: 0xff3b3b,
} as const;

/** Body colours of the skins; an unknown skin gets a colour derived from its name. */
export const SKIN_COLOURS: Readonly<Record<string, number>> = {
  runner: 0xff9f1c,
  ember: 0xe4572e,
  tide: 0x3a86ff,
  moss: 0x38b000,
  nightfall: 0x5e4b8b,
  aurora: 0x2ec4b6,
};

/** The body colour of a skin. */
export function skinColour(skin: string | null | undefined): number {
  if (!skin) return SKIN_COLOURS.runner!;
  const known = SKIN_COLOURS[skin.toLowerCase()];
  if (known !== undefined) return known;
  let h = 0;
  for (let i = 0; i < skin.length; i++) h = (Math.imul(h, 31) + skin.charCodeAt(i)) >>> 0;
  const hue = h % 360;
  return hslToRgb(hue / 360, 0.7, 0.6);
}

function hslToRgb(h: number, s: number, l: number): number {
  const q = l < 0.5 ? l * (1 + s) : l + s - l * s;
  const p = 2 * l - q;
  const channel = (t: number): number => {
    const u = t < 0 ? t + 1 : t > 1 ? t - 1 : t;
    if (u < 1 / 6) return p + (q - p) * 6 * u;
    if (u < 1 / 2) return q;
    if (u < 2 / 3) return p + (q - p) * (2 / 3 - u) * 6;
    return p;
  };
  const r = Math.round(channel(h + 1 / 3) * 255);
  const g = Math.round(channel(h) * 255);
  const b = Math.round(channel(h - 1 / 3) * 255);
  return (r << 16) | (g << 8) | b;
}
