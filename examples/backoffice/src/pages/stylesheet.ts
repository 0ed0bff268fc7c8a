/** The back office's whole look: served as /styles.css, so pages need no inline style (strict CSP). */
export const stylesheet = `
:root {
  --ink: #1d2433; --muted: #5b6578; --line: #e3e7ee; --paper: #f6f7fb; --card: #ffffff;
  --accent: #3b4cca; --accent-ink: #ffffff; --danger: #b42318;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--paper); }
a { color: var(--accent); }
.topbar { display: flex; align-items: center; gap: 1rem; padding: .75rem 2rem; background: #111827; color: #e5e7eb; }
.topbar .brand { font-weight: 700; letter-spacing: .02em; color: #fff; text-decoration: none; }
.topbar .business { padding: .2rem .6rem; border-radius: 999px; background: #374151; font-size: .85rem; }
.topbar .spacer { flex: 1; }
.topbar .person { font-size: .9rem; color: #d1d5db; }
.topbar form { margin: 0; }
button, .button { font: inherit; border: 0; border-radius: .5rem; padding: .5rem .9rem; cursor: pointer;
  background: var(--accent); color: var(--accent-ink); text-decoration: none; display: inline-block; }
.topbar button { background: transparent; color: #e5e7eb; border: 1px solid #4b5563; }
main { max-width: 960px; margin: 2rem auto; padding: 0 2rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
.lead { color: var(--muted); margin: 0 0 1.5rem; }
.panel { background: var(--card); border: 1px solid var(--line); border-radius: .75rem; overflow: hidden; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: .75rem 1rem; border-bottom: 1px solid var(--line); }
th { font-size: .8rem; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); background: #fafbfc; }
tr:last-child td { border-bottom: 0; }
.role { display: inline-block; padding: .1rem .5rem; margin-right: .25rem; border-radius: 999px; font-size: .8rem;
  background: #eef0fb; color: var(--accent); }
.role-owner { background: #fdf2e9; color: #9a4a05; }
.notice { background: var(--card); border: 1px solid var(--line); border-radius: .75rem; padding: 2rem; text-align: center; }
.notice h1 { margin-bottom: .5rem; }
.error { color: var(--danger); }
`;
