import tailwindcss from '@tailwindcss/vite';

/**
 * The client is a static single-page app: `nuxt generate` writes plain files that
 * `scripts/serve.ts` serves. Nothing here reaches outside the machine at build time.
 */
export default defineNuxtConfig({
  compatibilityDate: '2026-12-01',
  ssr: false,
  telemetry: false,
  devtools: { enabled: false },
  modules: ['@pinia/nuxt'],
  css: ['~/assets/css/main.css'],
  app: {
    head: {
      title: 'Truerun',
      htmlAttrs: { lang: 'en' },
      meta: [
        { name: 'viewport', content: 'width=device-width, initial-scale=1, user-scalable=no' },
        { name: 'description', content: 'A runner-fighter where every score is proven.' },
      ],
      link: [{ rel: 'icon', type: 'image/svg+xml', href: '/favicon.svg' }],
    },
  },
  runtimeConfig: {
    public: {
      gatewayUrl: 'http://127.0.0.1:8080',
      gameServerUrl: 'ws://127.0.0.1:2567',
    },
  },
  vite: {
    plugins: [tailwindcss()],
    build: { chunkSizeWarningLimit: 2000 },
    optimizeDeps: { include: ['matter-js', 'phaser', '@colyseus/sdk'] },
  },
});
