import { createHash } from 'node:crypto';
import type { Brand } from './brand.ts';
import { palette, type Scheme } from './palette.ts';

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

function customProperties(scheme: Scheme): string {
  return Object.entries(scheme)
    .map(([name, value]) => `--${kebab(name)}:${value};`)
    .join('');
}

// Everything the pages look like. The CSP is style-src 'self', so no page carries a style attribute
// or a <style> element: this file is the only place styling lives.
const rules = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;min-height:100vh;min-height:100dvh;background:var(--surface);color:var(--text);
font-family:ui-sans-serif,system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif,"Apple Color Emoji","Segoe UI Emoji";
font-size:1rem;line-height:1.5;-webkit-font-smoothing:antialiased;-moz-osx-font-smoothing:grayscale}
.page{display:flex;flex-direction:column;align-items:center;min-height:100vh;min-height:100dvh;padding:2.5rem 1.25rem 2rem}
.card{width:100%;max-width:24rem}
.brand{display:flex;align-items:center;justify-content:center;gap:.625rem;margin:0 0 1.75rem}
.brand-logo{display:block;height:2.5rem;width:auto;max-width:12rem;object-fit:contain}
.monogram{display:inline-flex;align-items:center;justify-content:center;flex:none;width:2.5rem;height:2.5rem;
border-radius:.75rem;background:var(--primary);color:var(--on-primary);font-size:1rem;font-weight:700;letter-spacing:.02em;
box-shadow:inset 0 0 0 1px rgb(0 0 0 / .06),0 1px 2px rgb(16 24 40 / .12)}
.brand-name{font-size:1.0625rem;font-weight:650;letter-spacing:-.01em}
.header{margin:0 0 1.75rem;text-align:center}
h1{margin:0;font-size:1.375rem;line-height:1.3;font-weight:650;letter-spacing:-.02em;text-wrap:balance}
.subtitle{margin:.5rem 0 0;color:var(--muted);text-wrap:balance}
.subtitle strong,.body strong{color:var(--text);font-weight:600}
.form{display:grid;gap:1.125rem;margin:0}
.field{display:grid;gap:.375rem}
.label{font-size:.875rem;font-weight:600;line-height:1.25rem}
.input{display:block;width:100%;height:2.75rem;margin:0;padding:0 .875rem;font:inherit;font-size:1rem;color:var(--text);
background:var(--surface);border:1px solid var(--field-border);border-radius:.625rem;
box-shadow:0 1px 2px rgb(16 24 40 / .05);outline:2px solid transparent;outline-offset:1px}
.input:hover{border-color:var(--muted)}
.input:focus{border-color:var(--accent);box-shadow:0 0 0 1px var(--accent),0 0 0 4px var(--accent-soft)}
.input[aria-invalid="true"]{border-color:var(--danger)}
.input[aria-invalid="true"]:focus{box-shadow:0 0 0 1px var(--danger),0 0 0 4px var(--danger-surface)}
.hint{margin:0;font-size:.8125rem;color:var(--muted)}
.field-error{display:flex;gap:.375rem;align-items:flex-start;margin:0;font-size:.8125rem;font-weight:500;color:var(--danger)}
.icon{flex:none;width:1rem;height:1rem;margin-top:.125rem}
.field-error .icon{width:.875rem;height:.875rem;margin-top:.1875rem}
.alert{display:flex;gap:.625rem;align-items:flex-start;margin:0 0 1.25rem;padding:.75rem .875rem;font-size:.875rem;font-weight:500;
color:var(--danger);background:var(--danger-surface);border:1px solid var(--danger-border);border-radius:.625rem}
.actions{display:grid;gap:.625rem;margin-top:.375rem}
.button{display:inline-flex;align-items:center;justify-content:center;width:100%;min-height:2.75rem;margin:0;padding:.625rem 1rem;
font:inherit;font-size:.9375rem;font-weight:600;line-height:1.25;text-align:center;text-decoration:none;cursor:pointer;
border:1px solid transparent;border-radius:.625rem;-webkit-appearance:none;appearance:none}
.button-primary{color:var(--on-primary);background:var(--primary);
box-shadow:inset 0 1px 0 rgb(255 255 255 / .12),inset 0 0 0 1px rgb(0 0 0 / .08),0 1px 2px rgb(16 24 40 / .14)}
.button-primary:hover{background:var(--primary-hover)}
.button-secondary{color:var(--text);background:var(--surface);border-color:var(--border);box-shadow:0 1px 2px rgb(16 24 40 / .05)}
.button-secondary:hover{background:var(--subtle);border-color:var(--field-border)}
a{color:var(--accent);font-weight:600;text-decoration:underline;text-decoration-thickness:1px;text-underline-offset:.2em}
a:hover{text-decoration-thickness:2px}
:focus-visible{outline:2px solid var(--accent);outline-offset:2px}
.input:focus-visible{outline:2px solid transparent;outline-offset:1px}
.switch{margin:1.5rem 0 0;padding-top:1.5rem;border-top:1px solid var(--border);text-align:center;font-size:.9375rem;color:var(--muted)}
.account{display:flex;align-items:center;gap:.5rem;max-width:100%;margin:1rem auto 0;padding:.3125rem .75rem .3125rem .3125rem;
width:fit-content;font-size:.875rem;color:var(--muted);background:var(--subtle);border:1px solid var(--border);border-radius:1.25rem}
.account-text{min-width:0;overflow-wrap:anywhere;text-align:left}
.avatar{display:inline-flex;align-items:center;justify-content:center;flex:none;width:1.5rem;height:1.5rem;border-radius:50%;
font-size:.75rem;font-weight:700;color:var(--on-primary);background:var(--primary)}
.section-title{margin:0 0 .625rem;font-size:.875rem;font-weight:600}
.permissions{margin:0;padding:0;list-style:none;border:1px solid var(--border);border-radius:.75rem}
.permission{display:flex;gap:.75rem;align-items:center;padding:.75rem .875rem;font-size:.9375rem}
.permission+.permission{border-top:1px solid var(--border)}
.permission-icon{display:inline-flex;align-items:center;justify-content:center;flex:none;width:1.75rem;height:1.75rem;
border-radius:50%;color:var(--accent);background:var(--accent-soft)}
.permission-icon .icon{margin:0}
.choices{display:grid;gap:.5rem;margin:0;padding:0;list-style:none}
.choice{display:flex;width:100%;align-items:center;gap:.75rem;padding:.75rem .875rem;font:inherit;font-size:.9375rem;
text-align:left;color:var(--text);background:var(--surface);border:1px solid var(--border);border-radius:.75rem;cursor:pointer}
.choice:hover{background:var(--subtle);border-color:var(--field-border)}
.choice-name{flex:1;min-width:0;font-weight:600;overflow-wrap:anywhere}
.choice-hint{font-size:.75rem;color:var(--muted)}
code{padding:.0625rem .3125rem;font-family:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,"Liberation Mono",monospace;
font-size:.875em;overflow-wrap:anywhere;background:var(--subtle);border:1px solid var(--border);border-radius:.3125rem}
.note{margin:1rem 0 1.25rem;font-size:.8125rem;color:var(--muted);text-align:center}
.body{margin:-.75rem 0 1.5rem;color:var(--muted);text-align:center;text-wrap:pretty}
.body+.body{margin-top:-1rem;font-size:.9375rem}
.message{color:var(--text)}
.status{display:flex;align-items:center;justify-content:center;width:3rem;height:3rem;margin:0 auto 1rem;border-radius:50%}
.status .icon{width:1.5rem;height:1.5rem;margin:0}
.status-success{color:var(--success);background:var(--success-surface)}
.status-error{color:var(--danger);background:var(--danger-surface)}
.status-neutral{color:var(--accent);background:var(--accent-soft)}
.body-last{margin-bottom:0}
.error-code{margin:0;text-align:center;font-size:.8125rem;color:var(--muted)}
.visually-hidden{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
@media (min-width:40em){
body{background:var(--page)}
.page{justify-content:center;padding:3rem 1.5rem}
.card{max-width:26.5rem;padding:2.5rem;background:var(--surface);border:1px solid var(--border);border-radius:1rem;
box-shadow:0 1px 2px rgb(16 24 40 / .04),0 16px 40px -12px rgb(16 24 40 / .14)}
h1{font-size:1.5rem}
}
@media (prefers-color-scheme:dark){
.input,.button-secondary{box-shadow:none}
}
@media (min-width:40em) and (prefers-color-scheme:dark){
.card{box-shadow:0 16px 40px -12px rgb(0 0 0 / .6)}
}
@media (prefers-reduced-motion:no-preference){
.card{animation:guichet-enter .24s ease-out both}
.input,.button,a{transition:background-color .15s,border-color .15s,box-shadow .15s,text-decoration-thickness .15s}
.button:active{transform:translateY(1px)}
@keyframes guichet-enter{from{opacity:0;transform:translateY(.375rem)}}
}
@media (forced-colors:active){
.button,.monogram,.avatar,.alert,.permissions{border:1px solid CanvasText}
.input:focus{outline-color:Highlight}
}
`;

/**
 * The stylesheet for a brand and its content hash (sha256, base64url, 16 characters), so it can be
 * served at `/assets/guichet.<hash>.css` and cached forever: a new colour gives a new URL.
 */
export function stylesheet(brand: Brand): { css: string; hash: string } {
  const { light, dark } = palette(brand);
  const css =
    `:root{color-scheme:light dark;${customProperties(light)}}\n` +
    `@media (prefers-color-scheme:dark){:root{${customProperties(dark)}}}\n` +
    `${rules.trim()}\n`;
  const hash = createHash('sha256').update(css).digest('base64url').slice(0, 16);
  return { css, hash };
}
