import { ValidationError } from "../../src/domain/validation";

test("a refusal is a ValidationError by name too, for an app that holds two copies of the package, where instanceof fails", () => {
  const error = new ValidationError("role atlantis: audience is empty");
  expect(error).toBeInstanceOf(Error);
  expect(error.name).toBe("ValidationError");
  expect(String(error)).toBe("ValidationError: role atlantis: audience is empty");
});
