/**
 * A value made by the first test that reads it, not while jest collects the tests: work done at
 * collection is credited to no test, and the mutation run then runs every test file for each
 * mutant that work reaches (docs/development.md, "Mutation testing").
 */
export function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => {
    made ??= { value: make() };
    return made.value;
  };
}
