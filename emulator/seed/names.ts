/**
 * Name pools for the demo org, in several languages and scripts, so sorting, search, CSV and reports
 * meet diacritics (ș ț ă î â, ä ö ü ß, ã ç), Cyrillic, Persian (right-to-left) and Japanese.
 * Each person has an ASCII e-mail local part (real e-mail addresses are mostly ASCII).
 */

export interface PersonName {
  first: string;
  last: string;
  /** ascii e-mail local part */
  email: string;
  country: string;
}

export interface CompanyName {
  name: string;
  domain: string;
  country: string;
  city: string;
}

const person = (first: string, last: string, email: string, country: string): PersonName => ({
  first,
  last,
  email,
  country
});

export const PEOPLE: readonly PersonName[] = [
  person('Ștefan', 'Popescu', 'stefan.popescu', 'Romania'),
  person('Ioana', 'Țurcanu', 'ioana.turcanu', 'Romania'),
  person('Mihai', 'Brătianu', 'mihai.bratianu', 'Romania'),
  person('Ana-Maria', 'Dumitrescu', 'anamaria.dumitrescu', 'Romania'),
  person('Răzvan', 'Știrbu', 'razvan.stirbu', 'Romania'),
  person('Cătălina', 'Neagu', 'catalina.neagu', 'Romania'),
  person('علی', 'رضایی', 'ali.rezaei', 'Iran'),
  person('مریم', 'احمدی', 'maryam.ahmadi', 'Iran'),
  person('سارا', 'محمدی', 'sara.mohammadi', 'Iran'),
  person('رضا', 'کریمی', 'reza.karimi', 'Iran'),
  person('Дмитрий', 'Иванов', 'dmitry.ivanov', 'Russia'),
  person('Ольга', 'Смирнова', 'olga.smirnova', 'Russia'),
  person('Алексей', 'Кузнецов', 'alexey.kuznetsov', 'Russia'),
  person('Екатерина', 'Попова', 'ekaterina.popova', 'Russia'),
  person('João', 'Gonçalves', 'joao.goncalves', 'Brazil'),
  person('Inês', 'Conceição', 'ines.conceicao', 'Portugal'),
  person('Luís', 'Araújo', 'luis.araujo', 'Portugal'),
  person('Beatriz', 'Simões', 'beatriz.simoes', 'Brazil'),
  person('翔太', '佐藤', 'shota.sato', 'Japan'),
  person('美咲', '鈴木', 'misaki.suzuki', 'Japan'),
  person('健', '高橋', 'ken.takahashi', 'Japan'),
  person('由美', '田中', 'yumi.tanaka', 'Japan'),
  person('Jürgen', 'Müller', 'juergen.mueller', 'Germany'),
  person('Käthe', 'Schäfer', 'kaethe.schaefer', 'Germany'),
  person('Björn', 'Größmann', 'bjoern.groessmann', 'Germany'),
  person('Lena', 'Köhler', 'lena.koehler', 'Germany'),
  person('Uwe', 'Weiß', 'uwe.weiss', 'Germany'),
  person('Emma', 'Johnson', 'emma.johnson', 'United States'),
  person('Liam', "O'Connor", 'liam.oconnor', 'Ireland'),
  person('Olivia', 'Smith', 'olivia.smith', 'United Kingdom'),
  person('Noah', 'Williams', 'noah.williams', 'United States'),
  person('Sofia', 'García', 'sofia.garcia', 'Spain'),
  person('Mateo', 'Fernández', 'mateo.fernandez', 'Spain'),
  person('Chloé', 'Lefèvre', 'chloe.lefevre', 'France'),
  person('Zoë', 'van der Berg', 'zoe.vanderberg', 'Netherlands'),
  person('Søren', 'Kierkegård', 'soren.kierkegard', 'Denmark')
];

const company = (name: string, domain: string, country: string, city: string): CompanyName => ({
  name,
  domain,
  country,
  city
});

export const COMPANIES: readonly CompanyName[] = [
  company('Oțelăria Ștefănești SRL', 'otelaria-stefanesti.ro', 'Romania', 'Pitești'),
  company('Țesătoria Bârlad SA', 'tesatoria-barlad.ro', 'Romania', 'Bârlad'),
  company('Soft Ardeal SRL', 'softardeal.ro', 'Romania', 'Cluj-Napoca'),
  company('Dacia Logistică SRL', 'dacia-logistica.ro', 'Romania', 'București'),
  company('پارس داده‌پرداز', 'parsdata.ir', 'Iran', 'تهران'),
  company('صنایع نوین اصفهان', 'novin-isfahan.ir', 'Iran', 'اصفهان'),
  company('آریا سامانه', 'ariasamaneh.ir', 'Iran', 'شیراز'),
  company('ООО «Северный Ветер»', 'severny-veter.ru', 'Russia', 'Санкт-Петербург'),
  company('АО «Техносфера»', 'technosfera.ru', 'Russia', 'Москва'),
  company('ООО «Байкал Системс»', 'baikal-systems.ru', 'Russia', 'Иркутск'),
  company('Soluções Digitais Ltda', 'solucoesdigitais.com.br', 'Brazil', 'São Paulo'),
  company('Construções Açoriano SA', 'acoriano.pt', 'Portugal', 'Ponta Delgada'),
  company('Inovação Paulista Ltda', 'inovacaopaulista.com.br', 'Brazil', 'Campinas'),
  company('株式会社サクラテック', 'sakuratech.co.jp', 'Japan', '東京'),
  company('富士精密工業株式会社', 'fuji-seimitsu.co.jp', 'Japan', '大阪'),
  company('株式会社みらいデータ', 'mirai-data.co.jp', 'Japan', '福岡'),
  company('Müller & Söhne GmbH', 'mueller-soehne.de', 'Germany', 'München'),
  company('Bäckerei Größer KG', 'baeckerei-groesser.de', 'Germany', 'Köln'),
  company('Weißblech Düsseldorf AG', 'weissblech.de', 'Germany', 'Düsseldorf'),
  company('Schätzle Maschinenbau GmbH', 'schaetzle-mb.de', 'Germany', 'Stuttgart'),
  company('Acme Analytics Inc.', 'acme-analytics.com', 'United States', 'Austin'),
  company('Northwind Traders', 'northwind.example', 'United States', 'Seattle'),
  company('Globex Corporation', 'globex.example', 'United States', 'Springfield'),
  company('Initech LLC', 'initech.example', 'United States', 'Austin'),
  company('Umbrella Health', 'umbrella-health.example', 'United Kingdom', 'London'),
  company('Blue Harbor Finance', 'blueharbor.example', 'Ireland', 'Dublin'),
  company('Contoso Manufacturing', 'contoso-mfg.example', 'United States', 'Detroit'),
  company('Fabrikam Energía SL', 'fabrikam-energia.es', 'Spain', 'Bilbao'),
  company('Société Générale de Logiciels', 'sgl.fr', 'France', 'Lyon'),
  company('Nordlys Teknologi AS', 'nordlys.no', 'Norway', 'Bergen')
];
