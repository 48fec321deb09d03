import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { LOGIN_PAGE, LOGIN_SCRIPT } from './login-page.ts';
import { AUDIT_SCRIPT, AUDIT_SECTION } from './audit-screen.ts';
import { COUNTER_SCRIPT, COUNTER_SECTION } from './counter-screen.ts';
import { MAINTENANCE_SCRIPT, MAINTENANCE_SECTION } from './maintenance-screen.ts';
import { MEDIA_SCRIPT, MEDIA_SECTION } from './media-screen.ts';
import { OPERATORS_SCRIPT, OPERATORS_SECTION } from './operators-screen.ts';
import { WIDE_AREA_SCRIPT, WIDE_AREA_SECTION } from './wide-area-screen.ts';
import { WORK_SCRIPT } from './work-script.ts';
import { WORK_SECTIONS } from './work-screens.ts';

/*
 * The page's scripts are TypeScript template strings: an escape written once instead of twice
 * (`\n` for `\\n`) ends up as a raw line break inside a regular expression and the whole script
 * fails to load. The browser tests would only see screens that never appear; this says why.
 */
describe('the web terminal page', () => {
  it('serves scripts that parse as JavaScript', () => {
    for (const [name, script] of [
      ['app.js', LOGIN_SCRIPT],
      ['work.js', WORK_SCRIPT],
      ['counter.js', COUNTER_SCRIPT],
      ['audit.js', AUDIT_SCRIPT],
      ['operators.js', OPERATORS_SCRIPT],
      ['maintenance.js', MAINTENANCE_SCRIPT],
      ['media.js', MEDIA_SCRIPT],
      ['wide-area.js', WIDE_AREA_SCRIPT],
    ] as const)
      expect(() => new Script(script, { filename: name }), name).not.toThrow(); // compiled, not run
  });

  it('has no inline script or handler (the Content-Security-Policy allows only its own files)', () => {
    for (const html of [
      LOGIN_PAGE,
      WORK_SECTIONS,
      COUNTER_SECTION,
      AUDIT_SECTION,
      OPERATORS_SECTION,
      MAINTENANCE_SECTION,
      MEDIA_SECTION,
      WIDE_AREA_SECTION,
    ]) {
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    }
  });

  it('gives every work screen the route that shows it', () => {
    const sections = [
      ...`${COUNTER_SECTION}${WORK_SECTIONS}${MEDIA_SECTION}${AUDIT_SECTION}${OPERATORS_SECTION}${MAINTENANCE_SECTION}`.matchAll(
        /<section id="([a-z-]+)" class="work" ([^>]*)>/g,
      ),
    ];
    expect(sections.length).toBeGreaterThanOrEqual(13);
    for (const [, id, attributes] of sections)
      expect(attributes, id).toMatch(/data-route="(GET|POST) \/api\/node\/[a-z/]+" hidden/);
  });
});
