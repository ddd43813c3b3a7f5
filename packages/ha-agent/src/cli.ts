console.error('ha-agent: not implemented yet');
process.exit(2);
