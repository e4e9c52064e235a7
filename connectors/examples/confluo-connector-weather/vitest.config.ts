// Its own config, so running the tests from this folder never picks up the config of a project around it. The fake
// Open-Meteo listens on loopback, which provider calls reach only when the operator allows it, as here.
export default {
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    env: { CONFLUO_HTTP_ALLOWLIST: '127.0.0.1' },
  },
};
