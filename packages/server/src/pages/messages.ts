import type { Locale } from './locale.ts';

/**
 * Every user-facing string of the sign-in pages. `{name}` placeholders are filled by `fillTemplate`,
 * which escapes the text and the values. French uses a narrow no-break space (U+202F) before ? ! :
 * as French typography wants, so a line never starts with the punctuation.
 */
export interface Messages {
  titleSeparator: string;
  signIn: {
    title: string;
    heading: string;
    /** Subtitle when the app that sent the person here is known. */
    continueTo: string;
    /** Subtitle otherwise. */
    useAccount: string;
    email: string;
    password: string;
    submit: string;
    noAccount: string;
    createAccount: string;
  };
  signUp: {
    title: string;
    heading: string;
    subtitle: string;
    name: string;
    email: string;
    password: string;
    passwordHint: string;
    submit: string;
    haveAccount: string;
    signIn: string;
  };
  consent: {
    title: string;
    heading: string;
    account: string;
    willBeAbleTo: string;
    scopes: Readonly<Record<'openid' | 'profile' | 'email' | 'offline_access', string>>;
    otherScope: string;
    trust: string;
    allow: string;
    deny: string;
  };
  logout: {
    title: string;
    heading: string;
    bodyWithClient: string;
    body: string;
    confirm: string;
    cancel: string;
  };
  signedOut: {
    title: string;
    heading: string;
    body: string;
  };
  businessChooser: {
    title: string;
    heading: string;
    subtitle: string;
    lastUsed: string;
  };
  error: {
    title: string;
    heading: string;
    hint: string;
    code: string;
  };
  errors: {
    /** Prefix of the document title when the page shows an error, so it is heard first. */
    titlePrefix: string;
    invalidCredentials: string;
    throttled: string;
    throttledFor: (seconds: number) => string;
    csrf: string;
    emailInvalid: string;
    emailTaken: string;
    nameRequired: string;
    passwordTooShort: string;
    passwordTooLong: string;
  };
}

/** Rounds a wait up to whole minutes past 90 s: "try again in 3 minutes" reads better than 150 s. */
function waitIn(seconds: number, units: { second: [string, string]; minute: [string, string] }): string {
  const whole = Math.max(1, Math.ceil(seconds));
  if (whole < 90) return `${whole}\u00a0${whole === 1 ? units.second[0] : units.second[1]}`;
  const minutes = Math.ceil(whole / 60);
  return `${minutes}\u00a0${minutes === 1 ? units.minute[0] : units.minute[1]}`;
}

const en: Messages = {
  titleSeparator: ' · ',
  signIn: {
    title: 'Sign in',
    heading: 'Sign in',
    continueTo: 'Continue to {client}',
    useAccount: 'Use your {brand} account',
    email: 'Email',
    password: 'Password',
    submit: 'Sign in',
    noAccount: 'Don’t have an account?',
    createAccount: 'Create an account',
  },
  signUp: {
    title: 'Create your account',
    heading: 'Create your account',
    subtitle: 'One account for every {brand} app',
    name: 'Full name',
    email: 'Email',
    password: 'Password',
    passwordHint: 'At least {min} characters.',
    submit: 'Create account',
    haveAccount: 'Already have an account?',
    signIn: 'Sign in',
  },
  consent: {
    title: 'Allow access',
    heading: '{client} wants to access your account',
    account: 'Signed in as {email}',
    willBeAbleTo: '{client} will be able to:',
    scopes: {
      openid: 'Confirm who you are',
      profile: 'See your name and profile',
      email: 'See your email address',
      offline_access: 'Stay connected when you’re not using it',
    },
    otherScope: 'Use the permission {scope}',
    trust: 'Only allow access if you trust {client}.',
    allow: 'Allow',
    deny: 'Deny',
  },
  logout: {
    title: 'Sign out',
    heading: 'Sign out of all apps?',
    bodyWithClient: 'You’ll be signed out of {client} and every other app that uses your {brand} account.',
    body: 'You’ll be signed out of every app that uses your {brand} account.',
    confirm: 'Yes, sign out',
    cancel: 'No, stay signed in',
  },
  businessChooser: {
    title: 'Choose a business',
    heading: 'Choose a business',
    subtitle: 'Which business are you working for now? You can switch at any time.',
    lastUsed: 'Last used',
  },
  signedOut: {
    title: 'Signed out',
    heading: 'You’re signed out',
    body: 'You’ve been signed out of all apps. You can close this window.',
  },
  error: {
    title: 'Something went wrong',
    heading: 'Something went wrong',
    hint: 'Go back to the app you came from and try again.',
    code: 'Error code: {code}',
  },
  errors: {
    titlePrefix: 'Error: ',
    invalidCredentials: 'Incorrect email or password.',
    throttled: 'Too many attempts. Wait a moment, then try again.',
    throttledFor: (seconds) =>
      `Too many attempts. Try again in ${waitIn(seconds, {
        second: ['second', 'seconds'],
        minute: ['minute', 'minutes'],
      })}.`,
    csrf: 'This page expired. Please try again.',
    emailInvalid: 'Enter a valid email address.',
    emailTaken: 'An account with this email already exists.',
    nameRequired: 'Enter your name.',
    passwordTooShort: 'Use at least {min} characters.',
    passwordTooLong: 'This password is too long.',
  },
};

const fr: Messages = {
  titleSeparator: ' · ',
  signIn: {
    title: 'Connexion',
    heading: 'Connexion',
    continueTo: 'Continuer vers {client}',
    useAccount: 'Utilisez votre compte {brand}',
    email: 'Adresse e-mail',
    password: 'Mot de passe',
    submit: 'Se connecter',
    noAccount: 'Pas encore de compte\u202f?',
    createAccount: 'Créer un compte',
  },
  signUp: {
    title: 'Créer votre compte',
    heading: 'Créer votre compte',
    subtitle: 'Un seul compte pour toutes les applications {brand}',
    name: 'Nom complet',
    email: 'Adresse e-mail',
    password: 'Mot de passe',
    passwordHint: 'Au moins {min} caractères.',
    submit: 'Créer le compte',
    haveAccount: 'Vous avez déjà un compte\u202f?',
    signIn: 'Se connecter',
  },
  consent: {
    title: 'Autoriser l’accès',
    heading: '{client} souhaite accéder à votre compte',
    account: 'Compte\u202f: {email}',
    willBeAbleTo: '{client} pourra\u202f:',
    scopes: {
      openid: 'Confirmer votre identité',
      profile: 'Voir votre nom et votre profil',
      email: 'Voir votre adresse e-mail',
      offline_access: 'Rester connecté quand vous ne l’utilisez pas',
    },
    otherScope: 'Utiliser l’autorisation {scope}',
    trust: 'N’autorisez l’accès que si vous faites confiance à {client}.',
    allow: 'Autoriser',
    deny: 'Refuser',
  },
  logout: {
    title: 'Déconnexion',
    heading: 'Se déconnecter de toutes les applications\u202f?',
    bodyWithClient:
      'Votre session sera fermée sur {client} et sur toutes les autres applications qui utilisent votre compte {brand}.',
    body: 'Votre session sera fermée sur toutes les applications qui utilisent votre compte {brand}.',
    confirm: 'Oui, me déconnecter',
    cancel: 'Non, garder ma session',
  },
  businessChooser: {
    title: 'Choisir une entreprise',
    heading: 'Choisir une entreprise',
    subtitle: 'Pour quelle entreprise travaillez-vous maintenant ? Vous pourrez changer à tout moment.',
    lastUsed: 'Dernière utilisée',
  },
  signedOut: {
    title: 'Déconnexion réussie',
    heading: 'Déconnexion réussie',
    body: 'Votre session est fermée sur toutes les applications. Vous pouvez fermer cette fenêtre.',
  },
  error: {
    title: 'Une erreur est survenue',
    heading: 'Une erreur est survenue',
    hint: 'Retournez sur l’application d’où vous venez et réessayez.',
    code: 'Code d’erreur\u202f: {code}',
  },
  errors: {
    titlePrefix: 'Erreur\u202f: ',
    invalidCredentials: 'Adresse e-mail ou mot de passe incorrect.',
    throttled: 'Trop de tentatives. Patientez un instant, puis réessayez.',
    throttledFor: (seconds) =>
      `Trop de tentatives. Réessayez dans ${waitIn(seconds, {
        second: ['seconde', 'secondes'],
        minute: ['minute', 'minutes'],
      })}.`,
    csrf: 'Cette page a expiré. Veuillez réessayer.',
    emailInvalid: 'Saisissez une adresse e-mail valide.',
    emailTaken: 'Un compte existe déjà avec cette adresse e-mail.',
    nameRequired: 'Saisissez votre nom.',
    passwordTooShort: 'Utilisez au moins {min} caractères.',
    passwordTooLong: 'Ce mot de passe est trop long.',
  },
};

const catalogue: Readonly<Record<Locale, Messages>> = { en, fr };

export function messagesFor(locale: Locale): Messages {
  return catalogue[locale];
}
