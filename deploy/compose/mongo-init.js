// Run by the mongo-init service of compose.yaml (mongosh, inside mongo1's network namespace).
// Idempotent: initiates the replica set once, then creates or updates the users.
const env = process.env;
const members = ["mongo1:27017", "mongo2:27017", "mongo3:27017"];

function sleepUntil(what, predicate, seconds) {
  for (let i = 0; i < seconds * 2; i++) {
    try {
      if (predicate()) return;
    } catch (e) {
      // not yet
    }
    sleep(500);
  }
  throw new Error(`timed out after ${seconds} s waiting for ${what}`);
}

if (!db.hello().setName) {
  print("initiating replica set rs0 with " + members.join(", "));
  rs.initiate({
    _id: "rs0",
    members: members.map((host, i) => ({ _id: i, host, priority: i === 0 ? 2 : 1 })),
  });
}
sleepUntil("mongo1 to become primary", () => db.hello().isWritablePrimary === true, 120);

const admin = db.getSiblingDB("admin");
let authenticated = false;
try {
  authenticated = admin.auth(env.MONGO_ROOT_USERNAME, env.MONGO_ROOT_PASSWORD).ok === 1;
} catch (e) {
  authenticated = false;
}
if (!authenticated) {
  // No user yet: the localhost exception lets this connection create the first one.
  print("creating the administrator " + env.MONGO_ROOT_USERNAME);
  admin.createUser({
    user: env.MONGO_ROOT_USERNAME,
    pwd: env.MONGO_ROOT_PASSWORD,
    roles: [{ role: "root", db: "admin" }],
  });
  admin.auth(env.MONGO_ROOT_USERNAME, env.MONGO_ROOT_PASSWORD);
}

function ensureUser(name, password, roles) {
  if (admin.getUser(name) === null) {
    print("creating user " + name);
    admin.createUser({ user: name, pwd: password, roles });
  } else {
    admin.updateUser(name, { pwd: password, roles });
  }
}
// The API erases a user's conversation from the assistant's tracker store (and purges old ones):
// it may find and remove there, nothing else.
const trackerErasure = {
  privileges: [
    { resource: { db: "rasa", collection: "rasa_conversations" }, actions: ["find", "remove"] },
  ],
  roles: [],
};
if (admin.getRole("xuthanh-tracker-erasure") === null) {
  admin.createRole({ role: "xuthanh-tracker-erasure", ...trackerErasure });
} else {
  admin.updateRole("xuthanh-tracker-erasure", trackerErasure);
}
ensureUser("xuthanh-app", env.MONGO_APP_PASSWORD, [
  { role: "readWrite", db: "xuthanh" },
  { role: "xuthanh-tracker-erasure", db: "admin" },
]);
ensureUser("xuthanh-rasa", env.MONGO_RASA_PASSWORD, [{ role: "readWrite", db: "rasa" }]);
print("replica set rs0 and users ready");
