import { describe, expect, it } from "vitest";
import { sha256Hex } from "./sha256Hex.js";

describe("sha256Hex", () => {
  it("is what sha256sum prints for the string's UTF-8 bytes", () => {
    expect(sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    // printf %s 'é' | sha256sum
    expect(sha256Hex("é")).toBe("4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c");
    expect(sha256Hex("disk-main-a partition name longer than thirty-six")).toBe("28df4223151328753dfeb875d961671042590a01772fe8502790e7a3c73e3365");
  });
});
