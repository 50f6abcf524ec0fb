import { App, TerraformOutput, TerraformStack } from "cdktf";

/** The benchmark's baseline: the least a cdktf app can synthesize (one stack, one output). */
const app = new App();
const stack = new TerraformStack(app, "bare");
new TerraformOutput(stack, "hello", { value: "world" });
app.synth();
