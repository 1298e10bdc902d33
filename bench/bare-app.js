/**
 * The bench's baseline: a Probot app that accepts `push` deliveries and does nothing with them.
 * What the real app costs beyond this — per delivery, and in memory — is the app's own.
 * Plain JavaScript, so `probot run bench/bare-app.js` loads it without a build.
 *
 * @param {import("probot").Probot} app
 */
export default (app) => {
  app.on("push", async () => {});
};
