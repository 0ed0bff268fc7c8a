import sharp from 'sharp';

/** A studio-style photo of a mug in the given colours: real image bytes for the upload tests. */
function mugSvg(body: string, shade: string, angle: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="1200" viewBox="0 0 1200 1200">
<defs>
  <linearGradient id="bg" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#f6f1e9"/><stop offset="1" stop-color="#e4d9c8"/></linearGradient>
  <linearGradient id="mug" x1="0" y1="0" x2="1" y2="0"><stop offset="0" stop-color="${shade}"/><stop offset=".35" stop-color="${body}"/><stop offset="1" stop-color="${shade}"/></linearGradient>
</defs>
<rect width="1200" height="1200" fill="url(#bg)"/>
<ellipse cx="600" cy="935" rx="340" ry="42" fill="#3b2f25" opacity=".14"/>
<g transform="rotate(${angle} 600 650)">
  <path d="M790 480 h60 a120 120 0 0 1 0 240 h-60" fill="none" stroke="${shade}" stroke-width="56" stroke-linecap="round"/>
  <rect x="330" y="380" width="480" height="550" rx="70" fill="url(#mug)"/>
  <ellipse cx="570" cy="392" rx="238" ry="44" fill="#4a3020"/>
  <ellipse cx="570" cy="392" rx="238" ry="44" fill="none" stroke="${shade}" stroke-width="10"/>
</g>
</svg>`;
}

export function mugPhoto(options: { body: string; shade: string; angle?: number; format: 'jpeg' | 'png' }) {
  const image = sharp(Buffer.from(mugSvg(options.body, options.shade, options.angle ?? 0)));
  return options.format === 'jpeg' ? image.jpeg({ quality: 85 }).toBuffer() : image.png().toBuffer();
}
