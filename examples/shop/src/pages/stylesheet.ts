/** The shop's whole look, served as /styles.css so pages need no inline style (strict CSP). */
export const stylesheet = `
:root {
  --ink: #1c1917; --muted: #6b645c; --line: #e7e2da; --paper: #faf8f5; --card: #ffffff;
  --accent: #0f5b4f; --accent-soft: #e3f0ec; --accent-ink: #ffffff; --danger: #b42318; --danger-soft: #fdecea;
  font-family: "Iowan Old Style", "Palatino Linotype", Georgia, serif; color: var(--ink);
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--paper); }
a { color: var(--accent); }
.sans, header, button, .button, input, textarea, select, label, .price, .meta, .tag, .errors, .hint {
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header.site { display: flex; align-items: center; gap: 1.25rem; padding: .9rem 2rem; background: var(--card);
  border-bottom: 1px solid var(--line); position: sticky; top: 0; }
.logo { font-family: "Iowan Old Style", Georgia, serif; font-size: 1.35rem; font-weight: 700; color: var(--ink);
  text-decoration: none; letter-spacing: .01em; }
.logo small { display: block; font-family: system-ui, sans-serif; font-size: .7rem; font-weight: 500;
  color: var(--muted); letter-spacing: .12em; text-transform: uppercase; }
.spacer { flex: 1; }
.switcher { display: flex; gap: .4rem; align-items: center; margin: 0; }
.switcher label { font-size: .8rem; color: var(--muted); }
select, input, textarea { font-size: 1rem; padding: .55rem .7rem; border: 1px solid var(--line); border-radius: .5rem;
  background: #fff; color: var(--ink); }
.person { font-size: .9rem; color: var(--muted); }
button, .button { font-size: .95rem; border: 0; border-radius: 999px; padding: .6rem 1.1rem; cursor: pointer;
  background: var(--accent); color: var(--accent-ink); text-decoration: none; display: inline-block; line-height: 1.2; }
button.secondary, .button.secondary { background: transparent; color: var(--ink); border: 1px solid var(--line); }
header form { margin: 0; }
main { max-width: 1120px; margin: 0 auto; padding: 2.5rem 2rem 4rem; }
.page-head { display: flex; align-items: end; justify-content: space-between; gap: 1rem; margin-bottom: 2rem; }
h1 { font-size: 2.2rem; font-weight: 600; margin: 0; }
.lead { color: var(--muted); margin: .35rem 0 0; font-size: 1.05rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 1.5rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 1rem; overflow: hidden;
  text-decoration: none; color: inherit; display: flex; flex-direction: column; transition: box-shadow .15s; }
.card:hover { box-shadow: 0 10px 30px rgba(28, 25, 23, .08); }
.card img, .card .placeholder { width: 100%; aspect-ratio: 1 / 1; object-fit: cover; background: #f1ede6; display: block; }
.placeholder { display: flex; align-items: center; justify-content: center; color: var(--muted); font-size: 2.5rem; }
.card-body { padding: 1rem 1.1rem 1.2rem; }
.card h2 { font-size: 1.15rem; font-weight: 600; margin: 0 0 .3rem; }
.price { font-weight: 600; color: var(--accent); }
.empty { text-align: center; padding: 4rem 2rem; background: var(--card); border: 1px dashed var(--line); border-radius: 1rem; }
.product { display: grid; grid-template-columns: minmax(0, 1.2fr) minmax(0, 1fr); gap: 2.5rem; }
.gallery { display: grid; grid-template-columns: repeat(2, 1fr); gap: .75rem; }
.gallery img { width: 100%; aspect-ratio: 1 / 1; object-fit: cover; border-radius: .75rem; background: #f1ede6; }
.gallery img:first-child { grid-column: span 2; }
.product .price { font-size: 1.5rem; margin: .75rem 0 1rem; display: block; }
.product .description { white-space: pre-line; line-height: 1.6; }
.meta { color: var(--muted); font-size: .85rem; }
.form { max-width: 640px; background: var(--card); border: 1px solid var(--line); border-radius: 1rem; padding: 2rem; }
.field { display: flex; flex-direction: column; gap: .35rem; margin-bottom: 1.25rem; }
.field label { font-weight: 600; font-size: .9rem; }
.hint { color: var(--muted); font-size: .8rem; }
.field .error { color: var(--danger); font-size: .85rem; font-family: system-ui, sans-serif; }
.field.invalid input, .field.invalid textarea { border-color: var(--danger); }
.errors { background: var(--danger-soft); color: var(--danger); border-radius: .75rem; padding: .9rem 1.1rem; margin-bottom: 1.5rem; }
.errors ul { margin: .3rem 0 0; padding-left: 1.2rem; }
.hero { text-align: center; padding: 5rem 1rem; }
.hero h1 { font-size: 3rem; }
.hero p { color: var(--muted); font-size: 1.2rem; max-width: 36rem; margin: 1rem auto 2rem; }
.tag { display: inline-block; background: var(--accent-soft); color: var(--accent); border-radius: 999px;
  padding: .15rem .6rem; font-size: .75rem; }
@media (max-width: 720px) {
  header.site { flex-wrap: wrap; padding: .75rem 1rem; }
  main { padding: 1.5rem 1rem 3rem; }
  .product { grid-template-columns: 1fr; }
}
`;
