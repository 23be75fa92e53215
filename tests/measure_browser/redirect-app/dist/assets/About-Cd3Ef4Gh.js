const about="About this app: a catch-all route sends unknown paths to /404.";export{about as default};
