import { useAccount } from '~/stores/account';

/** Screens open without an account: signing in, and practice runs with their result. */
const OPEN_PATHS = new Set(['/login', '/play', '/result']);

/** Every other screen needs a signed-in player. */
export default defineNuxtRouteMiddleware(async (to) => {
  const account = useAccount();
  await account.init();
  if (to.path === '/login' && account.signedIn) return navigateTo('/menu');
  if (OPEN_PATHS.has(to.path)) return;
  if (!account.signedIn) return navigateTo('/login');
  if (to.path === '/') return navigateTo('/menu');
});
