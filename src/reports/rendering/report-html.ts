import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReportDocument } from './report-document';
import { reportViewOf } from './report-view';

/** The Handlebars templates, next to this file in src/ and copied to dist/ by the build (nest-cli.json assets). */
export const REPORT_TEMPLATES_DIR = join(__dirname, 'templates');

export interface ReportHtml {
  /** The whole document: self-contained (inline CSS and SVG), no script, no external reference. */
  body: string;
  /** Chromium's print header and footer templates (the footer carries "Page X of Y"). */
  header: string;
  footer: string;
}

type Compiled = { body: HandlebarsTemplateDelegate; header: HandlebarsTemplateDelegate; footer: HandlebarsTemplateDelegate; styles: string };
let compiled: Compiled | null = null;

function templates(): Compiled {
  if (compiled) return compiled;
  const handlebars = Handlebars.create();
  handlebars.registerHelper('plus', (a: unknown, b: unknown) => Number(a) + Number(b));
  const load = (name: string) => readFileSync(join(REPORT_TEMPLATES_DIR, name), 'utf8');
  const options = { noEscape: false };
  compiled = {
    body: handlebars.compile(load('report.hbs'), options),
    header: handlebars.compile(load('header.hbs'), options),
    footer: handlebars.compile(load('footer.hbs'), options),
    styles: load('report.css'),
  };
  return compiled;
}

/** Lays a report document out as HTML (pure: same document, same HTML). All texts are HTML-escaped. */
export function reportHtmlOf(doc: ReportDocument): ReportHtml {
  const t = templates();
  const view = reportViewOf(doc);
  return { body: t.body({ ...view, styles: t.styles }), header: t.header(view), footer: t.footer(view) };
}
