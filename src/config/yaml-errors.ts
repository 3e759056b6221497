/**
 * YAML syntax errors in words an integrator acts on: the line where the mistake is, what is wrong
 * and what to do, instead of the parser's own terms ("Implicit keys need to be on a single line",
 * "Nested mappings are not allowed in compact mappings").
 *
 * @example
 *   describeYamlError(error, lineCounter, source)
 *   // { line: 4, message: 'YAML: this line is indented deeper than the key above it, ... }
 */
import { isAlias, visit, type Document, type LineCounter, type YAMLError } from 'yaml';

export interface YamlProblem {
  line?: number;
  message: string;
}

const QUOTE_HINT = 'put the value in quotes';

/** One parser error → its line and a plain sentence with a hint. */
export function describeYamlError(error: YAMLError, lineCounter: LineCounter, source: string): YamlProblem {
  const startLine = lineCounter.linePos(error.pos[0]).line;
  const endLine = lineCounter.linePos(error.pos[1]).line;
  const text = (line: number) => source.split(/\r?\n/)[line - 1] ?? '';
  const say = (line: number, message: string): YamlProblem => ({ line, message: `YAML: ${message}` });
  switch (error.code) {
    case 'TAB_AS_INDENT':
      return say(startLine, 'a tab indents this line; YAML indents with spaces only');
    case 'DUPLICATE_KEY': {
      const key = /^\s*(?:-\s+)?([^:#]+?)\s*:/.exec(text(startLine))?.[1];
      return say(startLine, `${key ? `the key "${key}"` : 'this key'} appears a second time at the same level; keep one of them`);
    }
    case 'MULTILINE_IMPLICIT_KEY': {
      const over = nextDeeperLine(source, startLine);
      if (over !== undefined) return say(over, `this line is indented deeper than the key above it (line ${over - 1}); line it up with its neighbours, or give the key above a ":"`);
      return say(startLine, `a key runs on into line ${endLine}: is the ":" after it missing ("key: value")?`);
    }
    case 'BLOCK_AS_IMPLICIT_KEY': {
      const over = nextDeeperLine(source, startLine);
      if (over !== undefined && !/:\s.*:\s/.test(text(startLine))) return say(over, `this line is indented deeper than the key above it (line ${over - 1}); line it up with its neighbours`);
      return say(startLine, `this value holds ": " (a colon and a space), which YAML reads as another key; ${QUOTE_HINT}`);
    }
    case 'MISSING_CHAR':
      if (/quote/i.test(error.message)) {
        const open = openingQuoteLine(source, startLine);
        return say(open ?? startLine, `a quoted value is opened${open === undefined ? '' : ' here'} and never closed; add the closing quote`);
      }
      return say(startLine, `${firstLine(error.message)}`);
    case 'BAD_INDENT':
      if (/Flow (sequence|map)/.test(error.message)) {
        const bracket = /sequence/.test(error.message) ? ']' : '}';
        return say(startLine - 1 >= 1 ? startLine - 1 : startLine, `a ${bracket === ']' ? '[ list' : '{ group'} is opened and not closed with "${bracket}" on the same line (or the lines of it are not indented)`);
      }
      return say(startLine, 'this key does not line up with the keys above it: keys at one level start in the same column');
    case 'BAD_SCALAR_START': {
      const char = /character (\S)/.exec(error.message)?.[1];
      return say(startLine, `a value cannot start with ${char ? `"${char}"` : 'this character'} in YAML; ${QUOTE_HINT}`);
    }
    default:
      return say(startLine, `${firstLine(error.message)} (check the indentation, and put values holding : # * & ! @ in quotes)`);
  }
}

/** An alias (`*name`) with no anchor: the line of the first, with the hint that a value starting with `*` needs quotes. */
export function unresolvedAlias(doc: Document, lineCounter: LineCounter): YamlProblem | undefined {
  let found: YamlProblem | undefined;
  visit(doc, {
    Alias(_, node) {
      if (found || !isAlias(node) || node.resolve(doc) !== undefined) return;
      found = {
        ...(node.range ? { line: lineCounter.linePos(node.range[0]).line } : {}),
        message: `YAML: "*${node.source}" reads as a reference to an anchor "&${node.source}" that is not there; ${QUOTE_HINT} ("*${node.source}")`,
      };
      return visit.BREAK;
    },
  });
  return found;
}

const firstLine = (message: string) => message.split('\n')[0]!;

const indentOf = (line: string) => /^ */.exec(line)![0].length;

/** The first line after `line` indented deeper than it without being a child of a key (the usual slip). */
function nextDeeperLine(source: string, line: number): number | undefined {
  const lines = source.split(/\r?\n/);
  const here = lines[line - 1];
  if (here === undefined || /:\s*$/.test(here)) return undefined;
  for (let i = line; i < lines.length; i++) {
    const next = lines[i]!;
    if (next.trim() === '' || next.trim().startsWith('#')) continue;
    return indentOf(next) > indentOf(here) ? i + 1 : undefined;
  }
  return undefined;
}

/** The line, at or before `line`, where a quote is opened and not closed. */
function openingQuoteLine(source: string, line: number): number | undefined {
  const lines = source.split(/\r?\n/);
  for (let i = Math.min(line, lines.length) - 1; i >= 0; i--) {
    const value = lines[i]!.replace(/^[^:]*:\s*/, '');
    for (const quote of ['"', "'"]) {
      if (value.startsWith(quote) && (value.length === 1 || !value.trimEnd().endsWith(quote))) return i + 1;
    }
  }
  return undefined;
}
