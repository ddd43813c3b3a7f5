console.error('balancer: not implemented yet');
process.exit(2);
