import { defaultSignInLimits, type SignInLimits } from '../../accounts/sign-in-throttle.ts';

/** The default sign-in limits over the configured window (GUICHET_SIGNIN_WINDOW_SECONDS). */
export function signInLimitsOver(windowSeconds: number): SignInLimits {
  const windowMs = windowSeconds * 1000;
  return {
    perIp: { ...defaultSignInLimits.perIp, windowMs },
    perEmail: { ...defaultSignInLimits.perEmail, windowMs },
  };
}
