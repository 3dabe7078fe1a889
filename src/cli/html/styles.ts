/**
 * The report's only stylesheet, inline: the Content-Security-Policy allows inline styles and nothing else, so the
 * file renders the same from a CI artifact, an email attachment or a laptop with no network.
 */

/** Light colours: the default, and what print always uses (a dark page wastes ink and prints poorly). */
const LIGHT = `--bg:#f6f8fa;--surface:#fff;--text:#1f2328;--muted:#59636e;--border:#d1d9e0;--pass:#1a7f37;--pass-bg:#dafbe1;--fail:#cf222e;--fail-bg:#ffebe9;--base:#9aa4ae;--cand:#0969da;--track:#eef1f4;--grid:#d1d9e0;--esc:#7d4e00;--esc-bg:#fff8c5;--note-bg:#fff8c5;--note-border:#d4a72c`;
const DARK = `--bg:#0d1117;--surface:#151b23;--text:#e6edf3;--muted:#9198a1;--border:#3d444d;--pass:#3fb950;--pass-bg:#12261e;--fail:#f85149;--fail-bg:#2d1214;--base:#6e7781;--cand:#4493f8;--track:#232a33;--grid:#3d444d;--esc:#f2cc60;--esc-bg:#3b2e00;--note-bg:#272115;--note-border:#9e6a03`;

export const STYLES = `
:root{color-scheme:light dark;${LIGHT}}
@media (prefers-color-scheme:dark){:root{${DARK}}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--text);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;overflow-wrap:anywhere}
main{max-width:980px;margin:0 auto;padding:20px 12px 40px}
header.verdict,section{background:var(--surface);border:1px solid var(--border);border-radius:10px;padding:16px 20px;margin:0 0 16px;min-width:0}
h1{font-size:1.55rem;line-height:1.25;margin:.1rem 0 .4rem}
h2{font-size:1.15rem;margin:0 0 .75rem}
h3{font-size:1rem;margin:0}
p{margin:.4rem 0}
.kicker{color:var(--muted);font-size:.8rem;letter-spacing:.05em;text-transform:uppercase;margin:0}
header.verdict{border-left-width:8px}
header.fail{border-left-color:var(--fail)}
header.pass{border-left-color:var(--pass)}
header.none{border-left-color:var(--muted)}
.badge{display:inline-block;min-width:3.2em;text-align:center;font-size:.75rem;font-weight:700;letter-spacing:.04em;padding:.1em .5em;border-radius:999px;margin-right:.5em;vertical-align:.1em}
.badge.fail{background:var(--fail-bg);color:var(--fail)}
.badge.ok{background:var(--pass-bg);color:var(--pass)}
ul.checks{list-style:none;padding:0;margin:.6rem 0 0}
ul.checks li{margin:.3rem 0;display:flex;gap:.6em;align-items:baseline}
ul.checks .badge{flex:none;margin:0}
.figures{display:flex;flex-wrap:wrap;gap:8px 28px;margin:14px 0 0;padding:0;list-style:none}
.figures li{display:flex;flex-direction:column}
.figures .n{font-size:1.45rem;font-weight:700;font-variant-numeric:tabular-nums;line-height:1.2}
.figures .l{color:var(--muted);font-size:.8rem}
.muted{color:var(--muted)}
.up{color:var(--pass)}
.down{color:var(--fail)}
dl.facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:4px 16px;margin:0}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0;min-width:0}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.86em}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;font-size:.88rem;overflow-wrap:normal}
caption{text-align:left;color:var(--muted);padding:0 0 6px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--border);vertical-align:top}
thead th.num{white-space:normal}
tbody th{min-width:10em;overflow-wrap:anywhere;font-weight:600;color:var(--text)}
th{font-weight:600;color:var(--muted)}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.t{unicode-bidi:isolate}
.esc{unicode-bidi:isolate;background:var(--esc-bg);color:var(--esc);border-radius:3px;padding:0 2px;font-family:ui-monospace,monospace;font-size:.85em}
.unc{font-style:italic;color:var(--muted)}
.note{background:var(--note-bg);border:1px solid var(--note-border);border-radius:8px;padding:8px 12px;margin:0 0 16px}
.chart{margin:0 0 14px}
.chart svg{display:block;width:100%;max-width:460px;height:auto}
.chart text{fill:var(--text);font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
.chart .muted{fill:var(--muted)}
.chart .track{fill:var(--track)}
.chart .grid{stroke:var(--grid);stroke-width:1;stroke-dasharray:2 3}
.chart .bar-base{fill:var(--base)}
.chart .bar-cand{fill:var(--cand)}
.chart text.up{fill:var(--pass)}
.chart text.down{fill:var(--fail)}
.chart .esc{fill:var(--esc)}
.legend{display:flex;flex-wrap:wrap;gap:4px 18px;margin:0 0 8px;padding:0;list-style:none;font-size:.85rem;color:var(--muted)}
.swatch{display:inline-block;width:.9em;height:.9em;border-radius:2px;margin-right:.4em;vertical-align:-.1em}
.swatch.base{background:var(--base)}
.swatch.cand{background:var(--cand)}
.group{border-top:1px solid var(--border);padding:6px 0}
.group>summary,.group>h3{cursor:pointer;font-weight:600;font-size:1rem;padding:4px 0;margin:0}
.group>h3{cursor:auto}
details.rest>summary{cursor:pointer;color:var(--cand);padding:2px 0 2px 12px}
.count{color:var(--muted);font-weight:400}
.case{border-left:3px solid var(--border);padding:6px 0 6px 12px;margin:10px 0}
.case.regressed,.case.failed{border-left-color:var(--fail)}
.case.fixed{border-left-color:var(--pass)}
.case .meta{display:flex;flex-wrap:wrap;gap:4px 10px;align-items:baseline;font-size:.82rem;color:var(--muted)}
.tag{border:1px solid var(--border);border-radius:4px;padding:0 .4em;font-weight:600}
.tag.failed,.tag.missing{color:var(--fail);border-color:var(--fail)}
.tag.passed{color:var(--pass);border-color:var(--pass)}
.tag.refused{color:var(--text);background:var(--track)}
.case dl{display:grid;grid-template-columns:6.5em minmax(0,1fr);gap:4px 12px;margin:6px 0 0}
.case dt{color:var(--muted);font-size:.85rem;padding-top:.1em}
.case dd{margin:0;min-width:0}
.text{white-space:pre-wrap;unicode-bidi:isolate}
.clipped,.more,.none{color:var(--muted);font-style:italic}
footer{color:var(--muted);font-size:.8rem;text-align:center}
@media (max-width:600px){
body{font-size:14px}
main{padding:10px 8px 32px}
header.verdict,section{padding:12px;border-radius:8px}
dl.facts,.case dl{grid-template-columns:minmax(0,1fr)}
dl.facts dd{margin-bottom:6px}
.case dt{padding-top:4px}
table{font-size:.78rem}
th,td{padding:4px 5px}
td.num{white-space:normal}
tbody th{min-width:7.5em}
}
@media print{
:root{color-scheme:light;${LIGHT}}
body{background:#fff;font-size:10.5pt}
main{max-width:none;padding:0}
header.verdict,section{border-color:#999;break-inside:auto}
.case{break-inside:avoid}
details::details-content{content-visibility:visible;display:block}
details.rest>summary{display:none}
.scroll{overflow:visible}
}
`;
