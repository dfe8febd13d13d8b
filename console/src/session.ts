// Who is signed in and which facility they work on; kept in memory only.
import { gql } from "./api";
import { ConsoleHospitalDocument, ConsoleHospitalsDocument, ConsoleMeDocument } from "./gql/graphql";
import type { ConsoleHospitalQuery } from "./gql/graphql";
import { lang } from "./i18n";

export type Hospital = NonNullable<ConsoleHospitalQuery["hospital"]>;

export type Session = {
  uid: string;
  isAdmin: boolean;
  facilities: { id: string; name: string }[];
  hospital: Hospital | null;
};

export async function loadSession(): Promise<Session> {
  const { me } = await gql(ConsoleMeDocument, {});
  const isAdmin = me.roles.includes("ADMIN");
  let facilities: { id: string; name: string }[];
  if (isAdmin) {
    const { hospitals } = await gql(ConsoleHospitalsDocument, { first: 100, lang: lang() === "en" ? "EN" : "VI" });
    facilities = hospitals.nodes.map((n) => ({ id: n.id, name: n.name }));
  } else {
    facilities = [];
    for (const id of me.hospitalIds) {
      const { hospital } = await gql(ConsoleHospitalDocument, { id, lang: lang() === "en" ? "EN" : "VI" });
      facilities.push({ id, name: hospital?.name ?? id });
    }
  }
  return { uid: me.uid ?? "", isAdmin, facilities, hospital: null };
}

export async function loadHospital(id: string): Promise<Hospital | null> {
  const { hospital } = await gql(ConsoleHospitalDocument, { id, lang: lang() === "en" ? "EN" : "VI" });
  return hospital;
}
