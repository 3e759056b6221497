import { expect } from 'vitest';
import { ValidationError, type FieldIssue } from '../../src/errors.ts';

/** Runs `fn`, expects a ValidationError, and returns its issues. */
export function issuesOf(fn: () => unknown): FieldIssue[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues;
  }
  throw new Error('expected a ValidationError, got none');
}

export function pathsOf(fn: () => unknown): string[] {
  return issuesOf(fn).map((issue) => issue.path);
}
